import Foundation
import Postgres

/// A notification job as a worker holds it.
struct Job: Sendable, Equatable {
    enum Channel: String, Sendable, Codable { case email, push }

    var id: Int64
    var channel: Channel
    var recipient: String
    var template: String
    var message: Data
    var attempts: Int
    var maxAttempts: Int
    /// The claim this worker holds; nothing is recorded without it.
    var leaseToken: UUID

    /// The key under which a worker hands a provider `notificationId` with the message.
    static let notificationIdKey = "notificationId"

    /// Stable for the job (the same on every attempt): the email's Message-ID and the push
    /// message's `data.notificationId`.
    var notificationId: String { "notification-\(id)" }

    init(_ row: PostgresRow) throws {
        id = try row.decode("id")
        channel = Channel(rawValue: try row.decode("channel")) ?? .email
        recipient = try row.decode("recipient")
        template = try row.decode("template")
        message = Data((try row.decode("message", as: String.self)).utf8)
        attempts = try row.decode("attempts")
        maxAttempts = try row.decode("max_attempts")
        leaseToken = try row.decode("lease_token")
    }
}

/// A job to create.
struct NewJob: Sendable, Encodable {
    var eventId: String
    var channel: Job.Channel
    var recipient: String
    var template: String
    var message: [String: String]
    var shopifyOrderId: String?

    enum CodingKeys: String, CodingKey {
        case eventId = "event_id"
        case channel, recipient, template, message
        case shopifyOrderId = "shopify_order_id"
    }
}
