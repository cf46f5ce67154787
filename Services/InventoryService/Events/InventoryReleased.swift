import ServiceKit

/// Allocated stock went back on the shelf: a cancelled order's, or the units a refund restocked.
struct InventoryReleased: IntegrationEvent {
    static let route = EventRoute.inventoryReleased

    var orderId: String
    var shopifyOrderId: String
    var shopDomain: String
    var lines: [Line]

    struct Line: Codable, Sendable, Equatable {
        var sku: String
        var vendorId: String
        var hubId: String?
        var quantity: Int
    }
}
