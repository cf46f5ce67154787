import ServiceKit

/// An order could not be allocated in full, so no stock was taken for any of its lines.
struct InventoryAllocationFailed: IntegrationEvent {
    static let route = EventRoute.inventoryAllocationFailed

    var orderId: String
    var shopifyOrderId: String
    var shopDomain: String
    var reason: String
    var unfilledLines: [Line]

    struct Line: Codable, Sendable, Equatable {
        var lineItemId: String
        var sku: String
        var quantity: Int
    }
}
