import ServiceKit

/// A delivery moved to a new status (NotificationService tells the customer).
struct DeliveryStatusChanged: IntegrationEvent {
    static let routingKey = "delivery.status_changed"

    var splitOrderId: String
    var orderId: String
    var shopifyOrderId: String
    var shopDomain: String
    var awb: String?
    var previousStatus: String
    var status: String
    var shiprocketStatus: String?
    var shiprocketStatusId: Int?
}

/// A seller order's shipment was delivered, announced once: OrderService settles what the
/// courier collected for it.
struct DeliveryDelivered: IntegrationEvent {
    static let routingKey = "delivery.delivered"

    var splitOrderId: String
    var orderId: String
    var shopifyOrderId: String
    var shopDomain: String
    var awb: String?
    /// What the courier collected on delivery (the seller order's collect amount).
    var collectedAmount: String
    var currency: String
}
