import ServiceKit

/// The part of InventoryService's `inventory.allocated` this service reads.
struct InventoryAllocated: IntegrationEvent {
    static let routingKey = "inventory.allocated"

    var orderId: String
    var lines: [Line]

    struct Line: Codable, Sendable {
        var lineItemId: String
        var sku: String
        var quantity: Int
        var vendorId: String
        var vendorName: String
        var vendorEmail: String
        var hubId: String?
        var flow: String
    }
}

/// The part of InventoryService's `inventory.allocation_failed` this service reads.
struct InventoryAllocationFailed: IntegrationEvent {
    static let routingKey = "inventory.allocation_failed"

    var orderId: String
    var reason: String
}
