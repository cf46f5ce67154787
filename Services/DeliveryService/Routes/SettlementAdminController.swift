import Hummingbird

/// `GET /admin/settlements/unconfirmed?limit=…` lists delivered shipments whose settlement
/// Shiprocket's tracking never confirmed; `POST /admin/settlements/{splitOrderId}/retry` asks
/// the tracking API about one again.
struct SettlementAdminController: Sendable {
    let settlements: UnconfirmedSettlements
    /// Without Shiprocket's tracking API nothing waits for confirmation, so nothing is retried.
    let confirms: Bool

    struct Entries: ResponseEncodable, Decodable, Sendable {
        var settlements: [UnconfirmedSettlements.Entry]
    }

    func addRoutes(to admin: RouterGroup<BasicRequestContext>) {
        admin.get("settlements/unconfirmed") { request, _ -> Entries in
            guard let limit = Int(request.uri.queryParameters["limit"].map(String.init) ?? "100"), (1...1000).contains(limit) else {
                throw HTTPError(.badRequest, message: "limit must be a whole number in 1...1000")
            }
            return Entries(settlements: try await settlements.list(limit: limit))
        }
        admin.post("settlements/:splitOrderId/retry") { _, context -> Response in
            let split = try context.parameters.require("splitOrderId")
            guard confirms else {
                throw HTTPError(.conflict, message: "Shiprocket's tracking API is not configured (SHIPROCKET_API_URL): nothing confirms settlements")
            }
            switch try await settlements.retry(splitOrderId: split) {
            case .queued: return Response(status: .accepted)
            case .notUnconfirmed(let state):
                throw HTTPError(.conflict, message: "the settlement of \(split) is \(state), not unconfirmed; only an unconfirmed one is retried")
            case .notFound: throw HTTPError(.notFound, message: "no delivery for seller order \(split)")
            }
        }
    }
}
