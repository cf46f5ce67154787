import ServiceKit

/// The part of OrderService's `seller_order.changed` this service reads: the vendor is told
/// what the seller order ships now.
struct SellerOrderChanged: IntegrationEvent {
    static let route = EventRoute.sellerOrderChanged
    var splitOrderId: String
    var orderId: String
    var shopifyOrderId: String
    var name: String?
    var vendorId: String
    var vendorName: String
    var vendorEmail: String
    var revision: String
    var items: [Item]

    struct Item: Codable, Sendable, Equatable {
        var sku: String
        var title: String?
        var quantity: Int
    }
}
