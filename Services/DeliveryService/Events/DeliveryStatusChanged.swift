import ServiceKit

/// A delivery moved to a new status (NotificationService tells the customer).
struct DeliveryStatusChanged: IntegrationEvent {
    static let route = EventRoute.deliveryStatusChanged

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
