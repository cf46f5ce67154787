import ServiceKit

/// A seller order was cancelled with its order before it was delivered: DeliveryService
/// cancels its shipment, NotificationService tells its vendor.
struct SellerOrderCancelled: IntegrationEvent {
    static let route = EventRoute.sellerOrderCancelled

    var splitOrderId: String
    var orderId: String
    var shopifyOrderId: String
    var shopDomain: String
    var name: String?
    var vendorId: String
    var vendorName: String
    var vendorEmail: String
    var hubId: String?
}
