import ServiceKit

/// A cancelled order's allocated stock went back on the shelf.
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
