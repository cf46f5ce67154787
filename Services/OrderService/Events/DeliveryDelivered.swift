import ServiceKit

/// The part of DeliveryService's `delivery.delivered` this service reads.
struct DeliveryDelivered: IntegrationEvent {
    static let route = EventRoute.deliveryDelivered

    var splitOrderId: String
    var collectedAmount: String
}
