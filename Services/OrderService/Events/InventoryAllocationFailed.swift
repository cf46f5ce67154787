import ServiceKit

/// The part of InventoryService's `inventory.allocation_failed` this service reads.
struct InventoryAllocationFailed: IntegrationEvent {
    static let route = EventRoute.inventoryAllocationFailed

    var orderId: String
    var reason: String
    /// Set when the lines refused are those an edit added: the order keeps its allocation.
    var revision: String?
}
