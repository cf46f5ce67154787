import ServiceKit

/// The part of OrderService's `order.cancelled` this service reads.
struct OrderCancelled: IntegrationEvent {
    static let route = EventRoute.orderCancelled

    var orderId: String
    var shopifyOrderId: String
    var shopDomain: String
    /// Lines already delivered, whose units are not returned (absent: none were).
    var keptLineItemIds: [String]?
}
