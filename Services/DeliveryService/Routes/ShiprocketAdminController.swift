import Hummingbird

/// `GET /admin/shiprocket/webhooks?state=…&unknownCode=true&limit=…`: stored webhooks, newest
/// first, to find those with codes the mapping does not know, those no delivery matched yet,
/// and those that failed; `POST /admin/shiprocket/webhooks/{id}/replay` processes a failed
/// one again once its cause is fixed.
struct ShiprocketAdminController: Sendable {
    static let states = ["pending", "applied", "history", "unmatched", "failed"]

    let webhooks: ShiprocketWebhookRepository

    struct Entries: ResponseEncodable, Decodable, Sendable {
        var webhooks: [ShiprocketWebhookRepository.Summary]
    }

    func addRoutes(to admin: RouterGroup<BasicRequestContext>) {
        admin.get("shiprocket/webhooks") { request, _ -> Entries in
            let state = request.uri.queryParameters["state"].map(String.init)
            if let state, !Self.states.contains(state) {
                throw HTTPError(.badRequest, message: "state must be one of \(Self.states.joined(separator: ", "))")
            }
            let unknownOnly = request.uri.queryParameters["unknownCode"] == "true"
            guard let limit = Int(request.uri.queryParameters["limit"].map(String.init) ?? "100"), (1...1000).contains(limit) else {
                throw HTTPError(.badRequest, message: "limit must be a whole number in 1...1000")
            }
            return Entries(webhooks: try await webhooks.list(state: state, unknownCodesOnly: unknownOnly, limit: limit))
        }
        admin.post("shiprocket/webhooks/:id/replay") { _, context -> Response in
            guard let id = context.parameters.get("id", as: Int64.self) else {
                throw HTTPError(.badRequest, message: "webhook id must be a number")
            }
            switch try await webhooks.replay(id: id) {
            case .queued: return Response(status: .accepted)
            case .notFailed(let state):
                throw HTTPError(.conflict, message: "webhook \(id) is \(state), not failed; only a failed one is replayed")
            case .notFound: throw HTTPError(.notFound, message: "no Shiprocket webhook \(id)")
            }
        }
    }
}
