import Foundation
import Postgres

/// Shiprocket's webhooks as received, in the `delivery` schema: stored once each (by
/// deduplication key) before the answer, and listed for the admin endpoint.
struct ShiprocketWebhookRepository: Sendable {
    let pool: PostgresPool

    /// One stored webhook as `GET /admin/shiprocket/webhooks` lists it.
    struct Summary: Codable, Sendable {
        var id: Int64
        var receivedAt: Date
        var state: String
        var awb: String?
        var orderId: String?
        var shipmentStatusId: Int?
        var shipmentStatus: String?
        var mappedStatus: String?
        var lastError: String?
    }

    /// Stores the webhook unless one with the same key is stored; true if this one was.
    func store(_ webhook: ShiprocketWebhook, key: String, payload body: Data) async throws -> Bool {
        try await pool.query(
            """
            INSERT INTO shiprocket_webhooks (dedup_key, awb, channel_order_id, sr_order_id, shipment_status_id,
                shipment_status, event_at, event_time_text, mapped_status, payload)
            VALUES (\(key), \(webhook.awb), \(webhook.orderId), \(webhook.srOrderId), \(webhook.shipmentStatusId),
                \(webhook.shipmentStatus), \(webhook.eventAt), \(webhook.timestampText), \(webhook.mappedStatus?.rawValue),
                \(body))
            ON CONFLICT (dedup_key) DO NOTHING
            """
        ).affectedRows == 1
    }

    /// Newest first; `state` and `unknownCodesOnly` narrow the list.
    func list(state: String?, unknownCodesOnly: Bool, limit: Int) async throws -> [Summary] {
        try await pool.query(
            """
            SELECT id, received_at, state, awb, channel_order_id, shipment_status_id, shipment_status, mapped_status, last_error
            FROM shiprocket_webhooks
            WHERE (\(state)::text IS NULL OR state = \(state)) AND (NOT \(unknownCodesOnly) OR mapped_status IS NULL)
            ORDER BY id DESC LIMIT \(limit)
            """
        ).map { row in
            Summary(
                id: try row.decode("id"),
                receivedAt: try row.decode("received_at"),
                state: try row.decode("state"),
                awb: try row.decode("awb"),
                orderId: try row.decode("channel_order_id"),
                shipmentStatusId: try row.decode("shipment_status_id"),
                shipmentStatus: try row.decode("shipment_status"),
                mappedStatus: try row.decode("mapped_status"),
                lastError: try row.decode("last_error")
            )
        }
    }

    enum ReplayOutcome: Equatable {
        case queued
        case notFailed(state: String)
        case notFound
    }

    /// A `failed` webhook back to `pending` with a fresh set of attempts, processed again
    /// at once; any other state is left as it is (a second replay finds it no longer failed).
    func replay(id: Int64) async throws -> ReplayOutcome {
        let queued = try await pool.query(
            """
            UPDATE shiprocket_webhooks SET state = 'pending', attempts = 0, next_attempt_at = now()
            WHERE id = \(id) AND state = 'failed'
            """
        )
        if queued.affectedRows == 1 { return .queued }
        let state = try await pool.query("SELECT state FROM shiprocket_webhooks WHERE id = \(id)").first
        return try state.map { .notFailed(state: try $0.decode("state")) } ?? .notFound
    }
}
