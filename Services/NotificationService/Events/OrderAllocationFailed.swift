import ServiceKit

/// The part of OrderService's `order.allocation_failed` this service reads: no stock could
/// take the whole order, and the customer is told.
struct OrderAllocationFailed: IntegrationEvent {
    static let route = EventRoute.orderAllocationFailed
    var orderId: String
    var shopifyOrderId: String
    var name: String?
    var customerEmail: String?
}
