import Foundation
import Postgres
import ServiceKit

/// Units of one allocation line going back on the shelf (a cancellation's or a refund's),
/// read from a row with `line_item_id`, `stock_id`, `sku`, `vendor_id`, `hub_id` and
/// `quantity` (the units returned).
struct ReturnedLine: Sendable {
    var lineItemId: String
    var stockId: Int64
    var quantity: Int
    var released: ReturnedStock.Line

    init(_ row: PostgresRow) throws {
        lineItemId = try row.decode("line_item_id")
        stockId = try row.decode("stock_id")
        quantity = try row.decode("quantity")
        released = .init(
            sku: try row.decode("sku"),
            vendorId: try row.decode("vendor_id"),
            hubId: try row.decode("hub_id"),
            quantity: quantity
        )
    }

    /// Adds the lines' units back to their stock levels (locked in id order, as every writer
    /// of stock takes them) and returns what went back.
    static func putBack(_ lines: [ReturnedLine], orderId: String, in tx: PostgresLease) async throws -> ReturnedStock {
        var totals: [Int64: Int] = [:]
        for line in lines { totals[line.stockId, default: 0] += line.quantity }
        try await StockMoves.lockInOrder(totals.keys, in: tx)
        try await StockMoves.apply(totals, in: tx)
        return ReturnedStock(orderId: orderId, lines: lines.map(\.released))
    }
}
