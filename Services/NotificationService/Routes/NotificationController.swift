import Foundation
import Hummingbird
import Postgres

/// `GET /notifications?shopifyOrderId=…` and `POST /admin/notifications/{id}/retry`.
struct NotificationController: Sendable {
    let pool: PostgresPool
    let queue: JobQueue

    struct Entry: Codable, Sendable {
        var id: Int64
        var channel: String
        /// An email address, or a push token shortened (it is a credential of the device).
        var recipient: String
        var template: String
        var state: String
        var attempts: Int
        var lastError: String?
        var createdAt: Date
        var completedAt: Date?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(channel, forKey: .channel)
            try container.encode(recipient, forKey: .recipient)
            try container.encode(template, forKey: .template)
            try container.encode(state, forKey: .state)
            try container.encode(attempts, forKey: .attempts)
            try container.encode(lastError, forKey: .lastError)
            try container.encode(createdAt, forKey: .createdAt)
            try container.encode(completedAt, forKey: .completedAt)
        }
    }

    struct Entries: ResponseEncodable, Decodable, Sendable {
        var notifications: [Entry]
    }

    func addRoutes(to router: Router<BasicRequestContext>, admin: RouterGroup<BasicRequestContext>) {
        router.get("/notifications") { request, _ -> Entries in
            guard let order = request.uri.queryParameters["shopifyOrderId"].map(String.init), !order.isEmpty else {
                throw HTTPError(.badRequest, message: "give shopifyOrderId")
            }
            let rows = try await pool.query("""
                SELECT id, channel, recipient, template, state, attempts, last_error, created_at, completed_at
                FROM jobs WHERE shopify_order_id = \(order) ORDER BY id
                """)
            return Entries(notifications: try rows.map { row in
                let channel: String = try row.decode("channel")
                let recipient: String = try row.decode("recipient")
                return Entry(
                    id: try row.decode("id"), channel: channel,
                    recipient: channel == "push" ? String(recipient.prefix(8)) + "…" : recipient,
                    template: try row.decode("template"), state: try row.decode("state"), attempts: try row.decode("attempts"),
                    lastError: try row.decode("last_error"), createdAt: try row.decode("created_at"),
                    completedAt: try row.decode("completed_at"))
            })
        }
        admin.post("notifications/:id/retry") { _, context -> Response in
            guard let id = context.parameters.get("id", as: Int64.self) else {
                throw HTTPError(.badRequest, message: "notification id must be a number")
            }
            if try await queue.retry(id: id) { return Response(status: .accepted) }
            let exists = try await !pool.query("SELECT 1 FROM jobs WHERE id = \(id)").isEmpty
            throw exists
                ? HTTPError(.conflict, message: "notification \(id) is not FAILED; only a FAILED one can be retried")
                : HTTPError(.notFound, message: "no notification \(id)")
        }
    }
}
