/// What an order payload changes in the order's lines, purely from the stored lines, the
/// payload's quantities (`current_quantity`, else `quantity`) and what refunds took back:
/// lines whose quantity fell (what their seller order ships), the units an edit removed that
/// go back to stock (those refunds took back are restocked by the refund's own restock type),
/// lines added (to store and allocate) and lines increased (not applied: a line's allocation
/// does not grow).
struct OrderEdit: Sendable, Equatable {
    struct StoredLine: Sendable, Equatable {
        var lineItemId: Int64
        /// As ordered (and allocated).
        var ordered: Int
        var current: Int
        /// Units edits removed that were given back already.
        var editReleased: Int
    }

    struct Change: Sendable, Equatable {
        var lineItemId: Int64
        var current: Int
        var editReleased: Int
        /// Units to give back now.
        var release: Int
        /// Whether the line's quantity changed (not only what is to be given back).
        var quantityChanged = true
    }

    var changes: [Change] = []
    /// Lines the payload has that are not stored (with units left): to store and allocate.
    var newLines: [Int64] = []
    /// Stored lines the payload has more of: not applied (their allocation cannot grow).
    var increases: [Int64] = []

    /// `refunded` is, per Shopify line id, the units refunds took back (all refunds known).
    static func between(stored: [StoredLine], payload: [ShopifyOrderWebhook.LineItem], refunded: [Int64: Int]) -> OrderEdit {
        let target = Dictionary(payload.map { ($0.id, $0.currentQuantity ?? $0.quantity) }, uniquingKeysWith: { first, _ in first })
        let known = Set(stored.map(\.lineItemId))
        var edit = OrderEdit()
        for line in stored {
            // A line the payload does not list is left as it is (payloads list every line); a
            // higher quantity is an addition, not applied here.
            let wanted = max(0, target[line.lineItemId] ?? line.current)
            if wanted > line.current { edit.increases.append(line.lineItemId) }
            let now = min(line.current, wanted)
            let removedByEdits = max(0, line.ordered - now - (refunded[line.lineItemId] ?? 0))
            let release = max(0, removedByEdits - line.editReleased)
            guard now != line.current || release > 0 else { continue }
            edit.changes.append(
                .init(
                    lineItemId: line.lineItemId,
                    current: now,
                    editReleased: line.editReleased + release,
                    release: release,
                    quantityChanged: now != line.current
                )
            )
        }
        edit.newLines = payload.filter { !known.contains($0.id) && $0.currentUnits > 0 }.map(\.id)
        return edit
    }
}
