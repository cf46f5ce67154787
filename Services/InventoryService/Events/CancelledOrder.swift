import ServiceKit

/// The part of OrderService's `order.cancelled` this service reads.
struct CancelledOrder: IntegrationEvent {
    static let routingKey = "order.cancelled"

    var orderId: String
    var shopifyOrderId: String
    var shopDomain: String
}
