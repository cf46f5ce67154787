import ServiceKit

/// The part of OrderService's `order.allocated` this service reads: each vendor is told of its
/// seller order.
struct OrderAllocated: IntegrationEvent {
    static let route = EventRoute.orderAllocated
    var orderId: String
    var shopifyOrderId: String
    var name: String?
    var currency: String
    var sellerOrders: [SellerOrder]

    struct SellerOrder: Codable, Sendable {
        var splitOrderId: String
        var vendorId: String
        var vendorName: String
        var vendorEmail: String
        var hubId: String?
        var flow: String
        var collectAmount: String
        var items: [Item]
    }

    struct Item: Codable, Sendable {
        var sku: String
        var title: String?
        var quantity: Int
    }
}
