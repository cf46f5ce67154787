import ServiceKit

/// An edit added lines to an order already confirmed: InventoryService allocates them into
/// the order's allocation, all or none, once per `revision` (the order's Shopify `updated_at`
/// that carried the edit), and answers with `inventory.allocated` or
/// `inventory.allocation_failed` carrying the same revision.
struct OrderLinesAdded: IntegrationEvent {
    static let route = EventRoute.orderLinesAdded

    var orderId: String
    var shopifyOrderId: String
    var shopDomain: String
    var revision: String
    var shippingPoint: OrderConfirmed.Point?
    var billingPoint: OrderConfirmed.Point?
    var items: [OrderConfirmed.Item]
}
