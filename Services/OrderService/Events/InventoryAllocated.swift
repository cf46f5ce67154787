import ServiceKit

/// The part of InventoryService's `inventory.allocated` this service reads.
struct InventoryAllocated: IntegrationEvent {
    static let route = EventRoute.inventoryAllocated

    var orderId: String
    var lines: [Line]
    /// Set for the lines an edit added (`order.lines_added`).
    var revision: String?

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

extension InventoryAllocated.Line {
    var placement: SellerSplit.Placement {
        .init(lineItemId: lineItemId, vendorId: vendorId, vendorName: vendorName, vendorEmail: vendorEmail, hubId: hubId, flow: flow)
    }
}
