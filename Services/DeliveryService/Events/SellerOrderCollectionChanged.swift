import ServiceKit

/// The part of OrderService's `seller_order.collection_changed` this service reads: the
/// courier collects the new amount, unless the shipment was delivered already.
struct SellerOrderCollectionChanged: IntegrationEvent {
    static let route = EventRoute.sellerOrderCollectionChanged

    var splitOrderId: String
    var orderId: String
    var collectAmount: String
    var version: Int
}
