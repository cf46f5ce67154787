import Hummingbird

/// `GET /admin/webhooks?status=…&limit=…` and `POST /admin/webhooks/{id}/replay`.
struct WebhookAdminController: Sendable {
    let webhooks: WebhookDeliveryRepository

    func addRoutes(to admin: RouterGroup<BasicRequestContext>) {
        admin.get("webhooks") { request, _ -> [WebhookDeliverySummary] in
            var status: WebhookDeliveryStatus?
            if let text = request.uri.queryParameters["status"].map(String.init) {
                guard let parsed = WebhookDeliveryStatus(rawValue: text) else {
                    let allowed = WebhookDeliveryStatus.allCases.map(\.rawValue).joined(separator: ", ")
                    throw HTTPError(.badRequest, message: "status must be one of \(allowed)")
                }
                status = parsed
            }
            let limit =
                try request.uri.queryParameters["limit"].map { text -> Int in
                    guard let value = Int(text), (1...1000).contains(value) else {
                        throw HTTPError(.badRequest, message: "limit must be a whole number in 1...1000")
                    }
                    return value
                } ?? 100
            return try await webhooks.list(status: status, limit: limit)
        }
        admin.post("webhooks/:id/replay") { _, context -> EditedResponse<WebhookDeliverySummary> in
            guard let id = context.parameters.get("id", as: Int64.self) else {
                throw HTTPError(.badRequest, message: "delivery id must be a number")
            }
            guard let webhook = try await webhooks.replay(id: id) else {
                throw HTTPError(.notFound, message: "no delivery \(id)")
            }
            return EditedResponse(status: .accepted, response: webhook)
        }
    }
}
