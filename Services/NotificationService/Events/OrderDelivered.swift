import ServiceKit

/// The part of OrderService's `order.delivered` this service reads: the customer is told.
struct OrderDelivered: IntegrationEvent {
    static let route = EventRoute.orderDelivered
    var orderId: String
    var shopifyOrderId: String
    var name: String?
    var currency: String?
    var customer: EventCustomer
    var payment: EventPayment
}
