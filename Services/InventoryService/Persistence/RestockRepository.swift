import Foundation
import Postgres
import ServiceKit

/// Units a Shopify refund restocks or an order edit removes, returned to the stock they were
/// taken from, in the caller's transaction: once per refund or edit revision (`restocks`),
/// and never more per line than the line took and has not yet returned
/// (`allocation_lines.returned_quantity`, shared with the order's cancellation), nor any of
/// the units a parcel delivered after its cancellation kept (`kept_quantity`): those are with
/// the customer, and whether a refund's restock brought them back cannot be told apart from
/// one that restocks units never shipped, so either order of the two messages ends the same.
struct RestockRepository: Sendable {
    /// The order has no allocation yet (its order.confirmed is still being handled):
    /// retried, so that the units are returned once the allocation took them.
    struct NotAllocatedYet: Error, CustomStringConvertible {
        let orderId: String
        var description: String { "order \(orderId) has no allocation yet; the restock is retried" }
    }

    func restock(_ refund: OrderRefunded, in tx: PostgresLease) async throws -> Int? {
        try await restock(
            orderId: refund.orderId,
            key: refund.refundId,
            lines: refund.restocked.map { ($0.lineItemId, $0.quantity, $0.addedRevision) },
            in: tx
        )
    }

    func restock(_ edit: OrderEdited, in tx: PostgresLease) async throws -> Int? {
        try await restock(
            orderId: edit.orderId,
            key: "edit:\(edit.revision)",
            lines: edit.released.map { ($0.lineItemId, $0.quantity, $0.addedRevision) },
            in: tx
        )
    }

    /// The units put back on the shelf, or nil when none were (a repeated refund or edit, or an
    /// order that took no stock). `key` names the refund or edit.
    private func restock(
        orderId: String,
        key: String,
        lines restocked: [(lineItemId: String, quantity: Int, addedRevision: String?)],
        in tx: PostgresLease
    ) async throws -> Int? {
        guard
            let status = try await tx.query(
                "SELECT status FROM allocations WHERE order_id = \(orderId) FOR UPDATE"
            ).scalar("status", as: String.self)
        else { throw NotAllocatedYet(orderId: orderId) }
        // A line an edit added is restocked once that edit's allocation was handled (whether it
        // took stock or was refused), not before: its units may be on their way to being taken.
        let revisions = Set(restocked.compactMap(\.addedRevision)).sorted()
        if !revisions.isEmpty {
            let handled =
                try await tx.query(
                    "SELECT count(*)::int AS n FROM allocation_additions WHERE order_id = \(orderId) AND revision = ANY(\(revisions)::text[])"
                ).scalar("n", as: Int.self) ?? 0
            guard handled == revisions.count else { throw NotAllocatedYet(orderId: orderId) }
        }
        let first =
            try await tx.query(
                """
                INSERT INTO restocks (order_id, refund_id) VALUES (\(orderId), \(key)) ON CONFLICT DO NOTHING
                """
            ).affectedRows == 1
        guard first, ["allocated", "released"].contains(status) else { return nil }
        var wanted: [String: Int] = [:]
        for line in restocked { wanted[line.lineItemId, default: 0] += line.quantity }
        let lines = try await tx.query(
            """
            SELECT line_item_id, stock_id, quantity - returned_quantity - kept_quantity AS quantity
            FROM allocation_lines
            WHERE order_id = \(orderId) AND line_item_id = ANY(\(wanted.keys.sorted())::text[])
              AND returned_quantity + kept_quantity < quantity
            ORDER BY line_item_id
            FOR UPDATE
            """
        ).map(ReturnedLine.init).map { line in
            var returned = line
            returned.quantity = min(line.quantity, wanted[line.lineItemId] ?? 0)
            return returned
        }.filter { $0.quantity > 0 }
        guard !lines.isEmpty else { return nil }
        _ = try await tx.query(
            """
            UPDATE allocation_lines l SET returned_quantity = l.returned_quantity + r.quantity
            FROM unnest(\(lines.map(\.lineItemId))::text[], \(lines.map(\.quantity))::int[]) AS r (line_item_id, quantity)
            WHERE l.order_id = \(orderId) AND l.line_item_id = r.line_item_id
            """
        )
        return try await ReturnedLine.putBack(lines, in: tx)
    }
}
