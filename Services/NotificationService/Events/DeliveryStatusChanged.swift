import ServiceKit

/// The part of DeliveryService's `delivery.status_changed` this service reads: the customer is
/// told of the shipment's progress.
struct DeliveryStatusChanged: IntegrationEvent {
    static let route = EventRoute.deliveryStatusChanged
    var splitOrderId: String
    var orderId: String
    var shopifyOrderId: String
    var status: String
}
