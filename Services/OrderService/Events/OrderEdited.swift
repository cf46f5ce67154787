import ServiceKit

/// An edit removed units of allocated lines: InventoryService returns them to the stock they
/// were taken from, once per `revision` (the order's Shopify `updated_at` that carried it).
struct OrderEdited: IntegrationEvent {
    static let route = EventRoute.orderEdited

    var orderId: String
    var shopifyOrderId: String
    var shopDomain: String
    var revision: String
    var released: [Line]

    struct Line: Codable, Sendable, Equatable {
        var lineItemId: String
        var quantity: Int
        /// For a line an edit added: that edit's revision (its allocation may still be on its way).
        var addedRevision: String?
    }
}
