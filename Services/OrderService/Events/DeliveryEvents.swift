import ServiceKit

/// The part of DeliveryService's `delivery.delivered` this service reads.
struct SellerOrderDelivered: IntegrationEvent {
    static let routingKey = "delivery.delivered"

    var splitOrderId: String
    var collectedAmount: String
}

/// Every seller order of an order was delivered, and its payment is settled.
struct OrderDelivered: IntegrationEvent {
    static let routingKey = "order.delivered"

    var orderId: String
    var shopifyOrderId: String
    var shopDomain: String
    var name: String?
    var currency: String
    var customer: CustomerContact
    var payment: OrderConfirmed.Payment
}
