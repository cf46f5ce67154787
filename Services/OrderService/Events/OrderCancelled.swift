import ServiceKit

/// An order was cancelled: InventoryService returns its stock.
struct OrderCancelled: IntegrationEvent {
    static let route = EventRoute.orderCancelled

    var orderId: String
    var shopifyOrderId: String
    var shopDomain: String
}
