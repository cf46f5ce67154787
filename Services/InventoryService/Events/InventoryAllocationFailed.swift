import ServiceKit

/// An order could not be allocated in full, so no stock was taken for any of its lines.
struct InventoryAllocationFailed: IntegrationEvent {
    static let route = EventRoute.inventoryAllocationFailed

    var orderId: String
    var shopifyOrderId: String
    var shopDomain: String
    var reason: String
    var unfilledLines: [Line]
    /// Set when the lines are those an edit added (`order.lines_added`): the order keeps its
    /// allocation.
    var revision: String? = nil

    struct Line: Codable, Sendable, Equatable {
        var lineItemId: String
        var sku: String
        var quantity: Int
    }
}
