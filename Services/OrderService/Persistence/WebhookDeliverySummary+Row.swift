import Postgres

extension WebhookDeliverySummary {
    init(row: PostgresRow) throws {
        id = try row.decode("id")
        webhookId = try row.decode("webhook_id")
        eventId = try row.decode("event_id")
        topic = try row.decode("topic")
        shopDomain = try row.decode("shop_domain")
        let statusText = try row.decode("status", as: String.self)
        guard let status = WebhookDeliveryStatus(rawValue: statusText) else {
            throw PostgresError(kind: .decoding, message: "unknown delivery status \(statusText)")
        }
        self.status = status
        attempts = try row.decode("attempts")
        lastError = try row.decode("last_error")
        receivedAt = try row.decode("received_at")
    }
}
