import Foundation
import Hummingbird

/// `GET /notifications?shopifyOrderId=…` and `POST /admin/notifications/{id}/retry`.
struct NotificationController: Sendable {
    let queue: JobQueue

    /// A job as the history shows it: a push token shortened (it is a credential of the device).
    typealias Entry = JobQueue.Record

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
                    var shown = job
                    if job.channel == "push" { shown.recipient = String(job.recipient.prefix(8)) + "…" }
                    return shown
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
