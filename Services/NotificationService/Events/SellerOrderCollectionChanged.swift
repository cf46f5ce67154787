import ServiceKit

/// The part of OrderService's `seller_order.collection_changed` this service reads: the
/// vendor is told the new amount its courier collects.
struct SellerOrderCollectionChanged: IntegrationEvent {
    static let route = EventRoute.sellerOrderCollectionChanged
    var splitOrderId: String
    var orderId: String
    var shopifyOrderId: String
    var name: String?
    var currency: String
    var vendorId: String
    var vendorName: String
    var vendorEmail: String
    var previousCollectAmount: String
    var collectAmount: String
    var version: Int
}
