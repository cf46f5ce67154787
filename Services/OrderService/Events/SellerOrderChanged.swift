import ServiceKit

/// An edit of the order changed what a seller order ships (fewer units, a line removed) while
/// it still ships something: NotificationService tells the vendor what to ship now. (A seller
/// order an edit leaves empty is cancelled instead: `seller_order.cancelled`.)
struct SellerOrderChanged: IntegrationEvent {
    static let route = EventRoute.sellerOrderChanged

    var splitOrderId: String
    var orderId: String
    var shopifyOrderId: String
    var shopDomain: String
    var name: String?
    var vendorId: String
    var vendorName: String
    var vendorEmail: String
    var itemsAmount: String
    /// The order's Shopify `updated_at` that carried the edit: one notification per edit.
    var revision: String
    /// What it ships now.
    var items: [Item]

    struct Item: Codable, Sendable, Equatable {
        var lineItemId: String
        var sku: String
        var title: String?
        var quantity: Int
    }
}
