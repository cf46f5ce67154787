import Foundation
import Postgres
import ServiceKit

/// Units a cancelled seller order shipped after all (its courier delivered the parcel), in
/// the caller's transaction: each line keeps them (`allocation_lines.kept_quantity`), so a
/// cancellation or an edit handled later returns none of them, and units returned already
/// come off the shelf again. Once per seller order (`delivered_after_cancel`).
struct KeptUnitsRepository: Sendable {
    /// What taking a delivered seller order's units back did.
    struct Outcome: Sendable, Equatable {
        /// Units that came off the shelf again.
        var taken = 0
        /// Units that were no longer on the shelf (sold meanwhile).
        var shortfall = 0
    }

    /// Nil when the seller order was handled before, or its order took no stock.
    func keep(_ delivered: SellerOrderDeliveredAfterCancel, in tx: PostgresLease) async throws -> Outcome? {
        guard
            let status = try await tx.query(
                "SELECT status FROM allocations WHERE order_id = \(delivered.orderId) FOR UPDATE"
            ).scalar("status", as: String.self)
        else { throw RestockRepository.NotAllocatedYet(orderId: delivered.orderId) }
        guard ["allocated", "released"].contains(status) else { return nil }
        let seen = try await tx.query(
            "SELECT 1 AS one FROM delivered_after_cancel WHERE split_order_id = \(delivered.splitOrderId) LIMIT 1"
        )
        guard seen.isEmpty else { return nil }

        var wanted: [String: Int] = [:]
        for line in delivered.lines { wanted[line.lineItemId, default: 0] += max(0, line.quantity) }
        let rows = try await tx.query(
            """
            SELECT line_item_id, stock_id, quantity, returned_quantity, kept_quantity
            FROM allocation_lines
            WHERE order_id = \(delivered.orderId) AND line_item_id = ANY(\(wanted.keys.sorted())::text[])
            ORDER BY line_item_id
            FOR UPDATE
            """
        )
        struct Line {
            var lineItemId: String, stockId: Int64, kept: Int, overlap: Int
        }
        var lines: [Line] = []
        for row in rows {
            let id: String = try row.decode("line_item_id")
            let quantity: Int = try row.decode("quantity")
            let returned: Int = try row.decode("returned_quantity")
            let kept: Int = try row.decode("kept_quantity")
            let keeping = min(wanted[id] ?? 0, quantity - kept)
            // Units both returned and now known shipped were counted on the shelf wrongly.
            let overlap = min(keeping, max(0, returned + kept + keeping - quantity))
            lines.append(Line(lineItemId: id, stockId: try row.decode("stock_id"), kept: keeping, overlap: overlap))
        }

        // Off the shelf again, as far as it still holds them, rows locked in id order.
        var needed: [Int64: Int] = [:]
        for line in lines where line.overlap > 0 { needed[line.stockId, default: 0] += line.overlap }
        var onShelf = try await StockMoves.lockInOrder(needed.keys, in: tx)
        var outcome = Outcome()
        var deltas: [Int64: Int] = [:]
        var recorded: [(line: Line, taken: Int, shortfall: Int)] = []
        for line in lines {
            let available = onShelf[line.stockId] ?? 0
            let taken = min(line.overlap, available)
            onShelf[line.stockId] = available - taken
            if taken > 0 { deltas[line.stockId, default: 0] -= taken }
            recorded.append((line, taken, line.overlap - taken))
            outcome.taken += taken
            outcome.shortfall += line.overlap - taken
        }
        try await StockMoves.apply(deltas, in: tx)
        _ = try await tx.query(
            """
            UPDATE allocation_lines l
            SET kept_quantity = l.kept_quantity + r.kept, returned_quantity = l.returned_quantity - r.overlap
            FROM unnest(\(lines.map(\.lineItemId))::text[], \(lines.map(\.kept))::int[], \(lines.map(\.overlap))::int[])
                AS r (line_item_id, kept, overlap)
            WHERE l.order_id = \(delivered.orderId) AND l.line_item_id = r.line_item_id
            """
        )
        _ = try await tx.query(
            """
            INSERT INTO delivered_after_cancel (split_order_id, order_id, line_item_id, kept, taken, shortfall)
            SELECT \(delivered.splitOrderId), \(delivered.orderId), r.line_item_id, r.kept, r.taken, r.shortfall
            FROM unnest(\(recorded.map(\.line.lineItemId))::text[], \(recorded.map(\.line.kept))::int[],
                        \(recorded.map(\.taken))::int[], \(recorded.map(\.shortfall))::int[])
                AS r (line_item_id, kept, taken, shortfall)
            """
        )
        return outcome
    }
}
