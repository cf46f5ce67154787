import ServiceKit

/// The part of OrderService's `order.confirmed` this service reads: the customer is told, and
/// the order's contact is remembered for the shipment updates that follow.
struct OrderConfirmed: IntegrationEvent {
    static let route = EventRoute.orderConfirmed
    var orderId: String
    var shopifyOrderId: String
    var name: String?
    var currency: String
    var customer: EventCustomer
    var payment: EventPayment
}
