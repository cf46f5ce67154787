import Foundation
import Postgres
import ServiceKit

/// Units of one allocation line going back on the shelf (a cancellation's or a refund's),
/// read from a row with `line_item_id`, `stock_id` and `quantity` (the units returned).
struct ReturnedLine: Sendable {
    var lineItemId: String
    var stockId: Int64
    var quantity: Int

    init(_ row: PostgresRow) throws {
        lineItemId = try row.decode("line_item_id")
        stockId = try row.decode("stock_id")
        quantity = try row.decode("quantity")
    }

    /// Adds the lines' units back to their stock levels (locked in id order, as every writer
    /// of stock takes them) and returns how many went back. The allocation's own rows (its
    /// status, `restocks`) record it; no service consumes an announcement of it, so none is
    /// published (earlier releases published `inventory.released`).
    static func putBack(_ lines: [ReturnedLine], in tx: PostgresLease) async throws -> Int {
        var totals: [Int64: Int] = [:]
        for line in lines { totals[line.stockId, default: 0] += line.quantity }
        try await StockMoves.lockInOrder(totals.keys, in: tx)
        try await StockMoves.apply(totals, in: tx)
        return lines.reduce(0) { $0 + $1.quantity }
    }
}
