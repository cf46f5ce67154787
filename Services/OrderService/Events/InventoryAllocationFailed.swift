import ServiceKit

/// The part of InventoryService's `inventory.allocation_failed` this service reads.
struct InventoryAllocationFailed: IntegrationEvent {
    static let route = EventRoute.inventoryAllocationFailed

    var orderId: String
    var reason: String
}
