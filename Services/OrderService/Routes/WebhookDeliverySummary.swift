import Foundation
import Hummingbird

/// A stored delivery as the admin endpoints show it. `lastError` is always present (null when
/// there is none), as docs/api.md lists it.
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
