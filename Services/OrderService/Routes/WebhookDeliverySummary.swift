import Foundation
import Hummingbird
import Postgres

/// A stored delivery as the admin endpoints show it. `lastError` is always present (null when
/// there is none), as the README lists it.
struct WebhookDeliverySummary: Sendable, Encodable, ResponseEncodable {
    var id: Int64
    var webhookId: String
    var eventId: String
    var topic: String
    var shopDomain: String
    var status: WebhookDeliveryStatus
    var attempts: Int
    var lastError: String?
    var receivedAt: Date

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

    private enum CodingKeys: String, CodingKey {
        case id, webhookId, eventId, topic, shopDomain, status, attempts, lastError, receivedAt
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(webhookId, forKey: .webhookId)
        try container.encode(eventId, forKey: .eventId)
        try container.encode(topic, forKey: .topic)
        try container.encode(shopDomain, forKey: .shopDomain)
        try container.encode(status, forKey: .status)
        try container.encode(attempts, forKey: .attempts)
        try container.encode(lastError, forKey: .lastError)
        try container.encode(receivedAt, forKey: .receivedAt)
    }
}
