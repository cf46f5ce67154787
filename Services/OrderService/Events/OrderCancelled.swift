import ServiceKit

/// An order was cancelled: InventoryService returns the stock of every line not delivered.
struct OrderCancelled: IntegrationEvent {
    static let route = EventRoute.orderCancelled

    var orderId: String
    var shopifyOrderId: String
    var shopDomain: String
    /// Lines whose seller order was delivered before the cancellation: their units are with
    /// the customer, not back on the shelf.
    var keptLineItemIds: [String]
}
