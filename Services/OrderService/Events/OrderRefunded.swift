import ServiceKit

/// A Shopify refund was recorded for the first time: InventoryService returns the units it
/// restocks (`restocked`; `cancel`, `return` and `legacy_restock` lines) to the stock they
/// were taken from, once per refund.
struct OrderRefunded: IntegrationEvent {
    static let route = EventRoute.orderRefunded

    var orderId: String
    var shopifyOrderId: String
    var shopDomain: String
    var refundId: String
    /// The money given back, in the order's currency.
    var amount: String
    var currency: String
    var restocked: [Line]

    struct Line: Codable, Sendable, Equatable {
        var lineItemId: String
        var quantity: Int
        /// For a line an edit added: that edit's revision (its allocation may still be on its way).
        var addedRevision: String?
    }
}
