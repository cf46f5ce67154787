import ServiceKit

/// A seller order's shipment was delivered, announced once: OrderService settles what the
/// courier collected for it.
struct DeliveryDelivered: IntegrationEvent {
    static let route = EventRoute.deliveryDelivered

    var splitOrderId: String
    var orderId: String
    var shopifyOrderId: String
    var shopDomain: String
    var awb: String?
    /// What the courier collected on delivery (the seller order's collect amount).
    var collectedAmount: String
    var currency: String
}
