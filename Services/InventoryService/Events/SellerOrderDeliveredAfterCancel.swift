import ServiceKit

/// The part of OrderService's `seller_order.delivered_after_cancel` this service reads: units
/// a cancellation returned that were shipped after all come off the shelf again, once per
/// seller order.
struct SellerOrderDeliveredAfterCancel: IntegrationEvent {
    static let route = EventRoute.sellerOrderDeliveredAfterCancel

    var splitOrderId: String
    var orderId: String
    var shopifyOrderId: String
    var shopDomain: String
    var lines: [Line]

    struct Line: Codable, Sendable, Equatable {
        var lineItemId: String
        var quantity: Int
    }
}
