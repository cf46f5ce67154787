import Foundation
import Postgres

/// Stored Shopify deliveries in `orders.webhook_deliveries`.
struct WebhookDeliveryRepository: Sendable {
    let pool: PostgresPool

    /// Stores deliveries exactly as received in one statement, so in one commit: durable when
    /// this returns. Returns the webhook ids it stored; a delivery whose webhook id was stored
    /// before (a Shopify retry) is left as it was. Rows go in webhook-id order so that
    /// concurrent batches with overlapping ids (other writers, other replicas) wait for each
    /// other instead of deadlocking.
    func insert(_ webhooks: [ReceivedWebhook]) async throws -> Set<String> {
        guard !webhooks.isEmpty else { return [] }
        var sql = PostgresQuery.StringInterpolation(literalCapacity: 200 + webhooks.count * 40, interpolationCount: webhooks.count * 9)
        sql.appendLiteral(
            """
            INSERT INTO webhook_deliveries
                (webhook_id, event_id, topic, shop_domain, triggered_at, api_version, payload_sha256, payload, status)
            VALUES
            """
        )
        for (index, webhook) in webhooks.sorted(by: { $0.headers.webhookId < $1.headers.webhookId }).enumerated() {
            let headers = webhook.headers
            let values: [any PostgresEncodable] = [
                headers.webhookId, headers.eventId, headers.topic, headers.shopDomain, headers.triggeredAt,
                headers.apiVersion, webhook.payloadSHA256, webhook.payload, webhook.status.rawValue,
            ]
            sql.appendLiteral(index == 0 ? " (" : ", (")
            for (position, value) in values.enumerated() {
                if position > 0 { sql.appendLiteral(", ") }
                sql.appendInterpolation(value)
            }
            sql.appendLiteral(")")
        }
        sql.appendLiteral(" ON CONFLICT (webhook_id) DO NOTHING RETURNING webhook_id")
        let rows = try await pool.query(PostgresQuery(stringInterpolation: sql))
        return Set(try rows.map { try $0.decode("webhook_id", as: String.self) })
    }

    /// Deliveries newest first, optionally only those with `status`.
    ///
    /// A worker claims deliveries by locking their rows for the length of its transaction, so
    /// `processing` is not stored: it is a pending delivery whose row is locked right now,
    /// found by trying a weak row lock that skips locked rows. (Workers claim the oldest
    /// pending deliveries first, so `status=processing` looks among the oldest 1,000.)
    func list(status: WebhookDeliveryStatus?, limit: Int) async throws -> [WebhookDeliverySummary] {
        // One statement per case rather than `$1 IS NULL OR status = $1`, which no index serves.
        let rows: PostgresResult
        switch status {
        case nil:
            rows = try await pool.query(
                """
                WITH page AS (SELECT * FROM webhook_deliveries ORDER BY id DESC LIMIT \(limit))
                \(unescaped: Self.showClaims) SELECT * FROM shown ORDER BY id DESC
                """
            )
        case .processing:
            rows = try await pool.query(
                """
                WITH page AS (SELECT * FROM webhook_deliveries WHERE status = 'pending' ORDER BY id LIMIT 1000)
                \(unescaped: Self.showClaims) SELECT * FROM shown WHERE status = 'processing' ORDER BY id DESC LIMIT \(limit)
                """
            )
        case .some(let status):
            rows = try await pool.query(
                """
                WITH page AS (SELECT * FROM webhook_deliveries WHERE status = \(status.rawValue) ORDER BY id DESC LIMIT \(limit))
                \(unescaped: Self.showClaims) SELECT * FROM shown WHERE status = \(status.rawValue) ORDER BY id DESC
                """
            )
        }
        return try rows.map(WebhookDeliverySummary.init(row:))
    }

    /// Continues a `WITH page AS (…)`: `shown` is the page with claimed pending rows as `processing`.
    private static let showClaims = """
        , unclaimed AS (
            SELECT id FROM webhook_deliveries
            WHERE id IN (SELECT id FROM page WHERE status = 'pending')
            FOR KEY SHARE SKIP LOCKED
        ), shown AS (
            SELECT id, webhook_id, event_id, topic, shop_domain, attempts, last_error, received_at,
                CASE WHEN status = 'pending' AND id NOT IN (SELECT id FROM unclaimed) THEN 'processing'
                     ELSE status END AS status
            FROM page
        )
        """

    /// Queues a stored delivery to be processed again; nil if there is no such delivery.
    func replay(id: Int64) async throws -> WebhookDeliverySummary? {
        let rows = try await pool.query(
            """
            UPDATE webhook_deliveries
            SET status = 'pending', next_attempt_at = now(), last_error = NULL
            WHERE id = \(id)
            RETURNING id, webhook_id, event_id, topic, shop_domain, status, attempts, last_error, received_at
            """
        )
        return try rows.first.map(WebhookDeliverySummary.init(row:))
    }
}
