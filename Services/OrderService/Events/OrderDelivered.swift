import ServiceKit

/// Every seller order of an order was delivered, and its payment is settled.
struct OrderDelivered: IntegrationEvent {
    static let route = EventRoute.orderDelivered

    var orderId: String
    var shopifyOrderId: String
    var shopDomain: String
    var name: String?
    var currency: String
    var customer: CustomerContact
    var payment: OrderConfirmed.Payment
}
