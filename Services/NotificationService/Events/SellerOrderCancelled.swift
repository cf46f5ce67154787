import ServiceKit

/// The part of OrderService's `seller_order.cancelled` this service reads: the vendor is told
/// not to ship.
struct SellerOrderCancelled: IntegrationEvent {
    static let route = EventRoute.sellerOrderCancelled
    var splitOrderId: String
    var orderId: String
    var shopifyOrderId: String
    var name: String?
    var vendorId: String
    var vendorName: String
    var vendorEmail: String
}
