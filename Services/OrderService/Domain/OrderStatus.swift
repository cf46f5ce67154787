/// Where an order stands (`orders.status`), and the moves the service makes between them:
/// the code that changes a status asks `moves(to:)`, `awaitsAllocation` or `takesUpdates`
/// first, with the order locked, and the repositories write what it decided.
enum OrderStatus: String, Sendable, Codable, CaseIterable {
    /// Stored and announced (`order.confirmed`); waiting for InventoryService's allocation.
    case confirmed
    /// Split into seller orders, one per vendor.
    case allocated
    /// No stock could take the whole order; nothing was reserved.
    case allocationFailed = "allocation_failed"
    /// Every seller order was delivered and the payment settled.
    case delivered
    case cancelled

    /// Whether the order may go from this status to `next`.
    func moves(to next: OrderStatus) -> Bool {
        switch (self, next) {
        // An order with nothing to ship goes from confirmed to delivered once allocated.
        case (.confirmed, .allocated), (.confirmed, .allocationFailed), (.allocated, .delivered), (.confirmed, .delivered): true
        case (.cancelled, .cancelled): false
        case (_, .cancelled): true
        default: false
        }
    }

    /// An allocation result applies only to an order still waiting for one, which makes it
    /// apply once and leaves a cancelled order cancelled.
    var awaitsAllocation: Bool { self == .confirmed }

    /// A newer Shopify version of the order is applied unless the order is cancelled.
    var takesUpdates: Bool { self != .cancelled }

    /// Line edits apply while the order's lines are still to be shipped: before the split,
    /// and while seller orders are on their way (a delivered order's changes are returns).
    var takesEdits: Bool { self == .confirmed || self == .allocated }
}
