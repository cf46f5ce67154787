import Postgres

/// Order contacts and registered devices, in the `notification` schema.
struct ContactBook: Sendable {
    func remember(_ order: ConfirmedOrder, in tx: PostgresLease) async throws {
        _ = try await tx.query("""
            INSERT INTO order_contacts (order_id, shopify_order_id, order_name, customer_email)
            VALUES (\(order.orderId), \(order.shopifyOrderId), \(order.name ?? "#\(order.shopifyOrderId)"), \(order.customer.email))
            ON CONFLICT (order_id) DO UPDATE SET order_name = excluded.order_name, customer_email = excluded.customer_email,
                updated_at = now()
            """)
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
        for row in try await tx.query("""
            SELECT owner_id, token FROM devices WHERE owner_kind = \(kind) AND owner_id = ANY(\(owners)::text[]) ORDER BY token
            """) {
            tokens[try row.decode("owner_id"), default: []].append(try row.decode("token"))
        }
        return tokens
    }
}
