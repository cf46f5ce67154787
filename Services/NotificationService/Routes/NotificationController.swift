import Foundation
import Hummingbird

/// `GET /notifications?shopifyOrderId=…` and `POST /admin/notifications/{id}/retry`.
struct NotificationController: Sendable {
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
            return Entries(
                notifications: try await queue.jobs(shopifyOrderId: order).map { job in
                    Entry(
                        id: job.id,
                        channel: job.channel,
                        recipient: job.channel == "push" ? String(job.recipient.prefix(8)) + "…" : job.recipient,
                        template: job.template,
                        state: job.state,
                        attempts: job.attempts,
                        lastError: job.lastError,
                        createdAt: job.createdAt,
                        completedAt: job.completedAt
                    )
                }
            )
        }
        admin.post("notifications/:id/retry") { _, context -> Response in
            guard let id = context.parameters.get("id", as: Int64.self) else {
                throw HTTPError(.badRequest, message: "notification id must be a number")
            }
            if try await queue.retry(id: id) { return Response(status: .accepted) }
            throw try await queue.exists(id: id)
                ? HTTPError(.conflict, message: "notification \(id) is not FAILED; only a FAILED one can be retried")
                : HTTPError(.notFound, message: "no notification \(id)")
        }
    }
}
