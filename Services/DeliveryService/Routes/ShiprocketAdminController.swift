import Foundation
import Hummingbird
import Postgres

/// `GET /admin/shiprocket/webhooks?state=…&unknownCode=true&limit=…`: stored webhooks, newest
/// first, to find those with codes the mapping does not know, those no delivery matched yet,
/// and those that failed.
struct ShiprocketAdminController: Sendable {
    static let states = ["pending", "applied", "history", "unmatched", "failed"]

    let pool: PostgresPool

    struct Entry: Codable, Sendable {
        var id: Int64
        var receivedAt: Date
        var state: String
        var awb: String?
        var orderId: String?
        var shipmentStatusId: Int?
        var shipmentStatus: String?
        var mappedStatus: String?
        var lastError: String?
    }

    struct Entries: ResponseEncodable, Decodable, Sendable {
        var webhooks: [Entry]
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
            let rows = try await pool.query("""
                SELECT id, received_at, state, awb, channel_order_id, shipment_status_id, shipment_status, mapped_status, last_error
                FROM shiprocket_webhooks
                WHERE (\(state)::text IS NULL OR state = \(state)) AND (NOT \(unknownOnly) OR mapped_status IS NULL)
                ORDER BY id DESC LIMIT \(limit)
                """)
            return Entries(webhooks: try rows.map { row in
                Entry(
                    id: try row.decode("id"), receivedAt: try row.decode("received_at"), state: try row.decode("state"),
                    awb: try row.decode("awb"), orderId: try row.decode("channel_order_id"),
                    shipmentStatusId: try row.decode("shipment_status_id"), shipmentStatus: try row.decode("shipment_status"),
                    mappedStatus: try row.decode("mapped_status"), lastError: try row.decode("last_error"))
            })
        }
    }
}
