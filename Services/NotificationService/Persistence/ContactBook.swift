import Foundation
import Postgres

/// Order contacts and registered devices, in the `notification` schema.
struct ContactBook: Sendable {
    /// Remembers each order's contact, in one statement; for an order named twice, the last wins.
    func remember(_ orders: [OrderConfirmed], in tx: PostgresLease) async throws {
        var latest: [String: ContactRow] = [:]
        for order in orders { latest[order.orderId] = ContactRow(order) }
        guard !latest.isEmpty else { return }
        let rows = String(decoding: try JSONEncoder().encode(latest.values.sorted { $0.order_id < $1.order_id }), as: UTF8.self)
        _ = try await tx.query(
            """
            INSERT INTO order_contacts (order_id, shopify_order_id, order_name, customer_email)
            SELECT order_id, shopify_order_id, order_name, customer_email
            FROM jsonb_to_recordset(\(rows)::jsonb) AS c (order_id text, shopify_order_id text, order_name text, customer_email text)
            ON CONFLICT (order_id) DO UPDATE SET order_name = excluded.order_name, customer_email = excluded.customer_email,
                updated_at = now()
            """
        )
    }

    private struct ContactRow: Encodable {
        var order_id: String
        var shopify_order_id: String
        var order_name: String
        var customer_email: String?

        init(_ order: OrderConfirmed) {
            order_id = order.orderId
            shopify_order_id = order.shopifyOrderId
            order_name = order.name ?? "#\(order.shopifyOrderId)"
            customer_email = order.customer.email
        }
    }

    func contact(orderId: String, in tx: PostgresLease) async throws -> NotificationPlanner.Contact? {
        try await tx.query("SELECT order_name, customer_email FROM order_contacts WHERE order_id = \(orderId)").first.map {
            NotificationPlanner.Contact(orderName: try $0.decode("order_name"), customerEmail: try $0.decode("customer_email"))
        }
    }

    /// Device tokens by owner id, for owners of one kind.
    func devices(kind: String, owners: [String], in tx: PostgresLease) async throws -> [String: [String]] {
        guard !owners.isEmpty else { return [:] }
        let owners = kind == "customer" ? owners.map { $0.lowercased() } : owners
        var tokens: [String: [String]] = [:]
        for row in try await tx.query(
            """
            SELECT owner_id, token FROM devices WHERE owner_kind = \(kind) AND owner_id = ANY(\(owners)::text[]) ORDER BY token
            """
        ) {
            tokens[try row.decode("owner_id"), default: []].append(try row.decode("token"))
        }
        return tokens
    }

    /// A device's push token, for its vendor or customer; a token registered again moves to
    /// its new owner.
    func register(token: String, ownerKind: String, ownerId: String, platform: String, in tx: PostgresLease) async throws {
        _ = try await tx.query(
            """
            INSERT INTO devices (token, owner_kind, owner_id, platform) VALUES (\(token), \(ownerKind), \(ownerId), \(platform))
            ON CONFLICT (token) DO UPDATE SET owner_kind = excluded.owner_kind, owner_id = excluded.owner_id,
                platform = excluded.platform, updated_at = now()
            """
        )
    }
}
