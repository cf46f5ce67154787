import ServiceKit

/// A cancelled seller order's parcel was delivered anyway (its courier had it already): the
/// units it shipped are with the customer, and InventoryService takes them back off the shelf
/// the cancellation returned them to, once per seller order.
struct SellerOrderDeliveredAfterCancel: IntegrationEvent {
    static let route = EventRoute.sellerOrderDeliveredAfterCancel

    var splitOrderId: String
    var orderId: String
    var shopifyOrderId: String
    var shopDomain: String
    /// What the vendor was last told to ship, per Shopify line id.
    var lines: [Line]

    struct Line: Codable, Sendable, Equatable {
        var lineItemId: String
        var quantity: Int
    }
}
