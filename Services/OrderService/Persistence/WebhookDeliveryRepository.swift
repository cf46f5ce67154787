import Crypto
import Foundation
import Postgres

/// Stored Shopify deliveries in `orders.webhook_deliveries`.
struct WebhookDeliveryRepository: Sendable {
    let pool: PostgresPool

    /// Stores a delivery exactly as received, committed before this returns. Returns false if
    /// a delivery with the same webhook id was stored before (a Shopify retry).
    func store(_ headers: ShopifyDeliveryHeaders, payload: Data) async throws -> Bool {
        let status = ShopifyTopic.isHandled(headers.topic) ? "pending" : "ignored"
        let digest = Data(SHA256.hash(data: payload))
        let result = try await pool.query("""
            INSERT INTO webhook_deliveries
                (webhook_id, event_id, topic, shop_domain, triggered_at, api_version, payload_sha256, payload, status)
            VALUES (\(headers.webhookId), \(headers.eventId), \(headers.topic), \(headers.shopDomain),
                    \(headers.triggeredAt), \(headers.apiVersion), \(digest), \(payload), \(status))
            ON CONFLICT (webhook_id) DO NOTHING
            """)
        return result.affectedRows == 1
    }

    /// Deliveries newest first, optionally only those with `status`.
    func list(status: WebhookDeliveryStatus?, limit: Int) async throws -> [WebhookDeliverySummary] {
        let rows = try await pool.query("""
            SELECT id, webhook_id, event_id, topic, shop_domain, status, attempts, last_error, received_at
            FROM webhook_deliveries
            WHERE \(status?.rawValue)::text IS NULL OR status = \(status?.rawValue)
            ORDER BY id DESC
            LIMIT \(limit)
            """)
        return try rows.map(WebhookDeliverySummary.init(row:))
    }

    /// Queues a stored delivery to be processed again; nil if there is no such delivery.
    func replay(id: Int64) async throws -> WebhookDeliverySummary? {
        let rows = try await pool.query("""
            UPDATE webhook_deliveries
            SET status = 'pending', next_attempt_at = now(), last_error = NULL
            WHERE id = \(id)
            RETURNING id, webhook_id, event_id, topic, shop_domain, status, attempts, last_error, received_at
            """)
        return try rows.first.map(WebhookDeliverySummary.init(row:))
    }
}
