import Foundation
import Postgres

/// Delivered shipments whose settlement Shiprocket's tracking never confirmed within its
/// attempts (`settlement = 'unconfirmed'`): listed for a person to look at, and asked about
/// again once the cause is fixed (tracking answered wrongly, a wrong AWB corrected).
struct UnconfirmedSettlements: Sendable {
    let pool: PostgresPool

    struct Entry: Codable, Sendable, Equatable {
        var splitOrderId: String
        var awb: String?
        var deliveredAt: Date?
        var attempts: Int
        var lastError: String?
    }

    /// Oldest delivery first.
    func list(limit: Int) async throws -> [Entry] {
        try await pool.query(
            """
            SELECT split_order_id, awb, delivered_at, settlement_attempts, settlement_error FROM deliveries
            WHERE settlement = 'unconfirmed' ORDER BY delivered_at NULLS FIRST, id LIMIT \(limit)
            """
        ).map {
            Entry(
                splitOrderId: try $0.decode("split_order_id"),
                awb: try $0.decode("awb"),
                deliveredAt: try $0.decode("delivered_at"),
                attempts: try $0.decode("settlement_attempts"),
                lastError: try $0.decode("settlement_error")
            )
        }
    }

    enum RetryOutcome: Equatable {
        case queued
        case notUnconfirmed(settlement: String)
        case notFound
    }

    /// Back to `awaiting_confirmation` with a fresh set of attempts, asked about at once; a
    /// settlement in any other state is left as it is, so a second retry changes nothing.
    func retry(splitOrderId: String) async throws -> RetryOutcome {
        let queued = try await pool.query(
            """
            UPDATE deliveries SET settlement = 'awaiting_confirmation', settlement_attempts = 0, settlement_next_at = now(),
                updated_at = now()
            WHERE split_order_id = \(splitOrderId) AND settlement = 'unconfirmed'
            """
        )
        if queued.affectedRows == 1 { return .queued }
        let row = try await pool.query("SELECT settlement FROM deliveries WHERE split_order_id = \(splitOrderId)").first
        return try row.map { .notUnconfirmed(settlement: try $0.decode("settlement")) } ?? .notFound
    }
}
