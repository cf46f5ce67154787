import ServiceKit

/// The amount a seller order's courier collects on delivery changed after the split (the
/// order was paid online later, refunded or edited): DeliveryService collects the new amount,
/// NotificationService tells the vendor. `version` counts the changes of one seller order, so
/// that an older change arriving late is not applied over a newer one.
struct SellerOrderCollectionChanged: IntegrationEvent {
    static let route = EventRoute.sellerOrderCollectionChanged

    var splitOrderId: String
    var orderId: String
    var shopifyOrderId: String
    var shopDomain: String
    var name: String?
    var currency: String
    var vendorId: String
    var vendorName: String
    var vendorEmail: String
    var previousCollectAmount: String
    var collectAmount: String
    var version: Int
}
