import Foundation
import Postgres
import TestSupport

/// Where one order stands in each service's tables, for a test that waited too long for it to
/// move on: the failure then says which step it stopped at (its webhook delivery, its order
/// row, an event in an outbox, InventoryService's allocation), not only that it timed out.
enum PipelineDiagnosis {
    static func describe(shopifyOrderId: Int64, webhookId: String) async -> String {
        let orders = TestStack.test.pool(.order, size: 1, name: uniqueName("diagnosis"))
        let inventory = TestStack.test.pool(.inventory, size: 1, name: uniqueName("diagnosis"))
        var found: [String] = []
        found.append(
            "delivery: "
                + (await text(
                    orders,
                    """
                    SELECT string_agg(t::text, '; ') AS rows FROM (
                      SELECT status, attempts, next_attempt_at, last_error FROM webhook_deliveries WHERE webhook_id = \(webhookId)) t
                    """
                ))
        )
        let orderId = (try? await orders.query("SELECT id FROM orders WHERE shopify_order_id = \(shopifyOrderId)").scalar("id", as: Int64.self))
            .flatMap { $0 }.map(String.init)
        if let orderId {
            found.append(
                "order: "
                    + (await text(
                        orders,
                        "SELECT string_agg(t::text, '; ') AS rows FROM (SELECT id, status FROM orders WHERE id::text = \(orderId)) t"
                    ))
            )
            for (name, pool) in [("OrderService", orders), ("InventoryService", inventory)] {
                found.append(
                    "\(name) outbox: "
                        + (await text(
                            pool,
                            """
                            SELECT string_agg(t::text, '; ') AS rows FROM (
                              SELECT routing_key, created_at, published_at, attempts, last_error FROM outbox
                              WHERE payload::jsonb ->> 'orderId' = \(orderId) ORDER BY id) t
                            """
                        ))
                )
            }
            found.append(
                "allocation: "
                    + (await text(
                        inventory,
                        "SELECT string_agg(t::text, '; ') AS rows FROM (SELECT status, reason, created_at FROM allocations WHERE order_id = \(orderId)) t"
                    ))
            )
        } else {
            found.append("no order row")
        }
        await orders.close()
        await inventory.close()
        return found.joined(separator: " | ") + " (at \(Date()))"
    }

    private static func text(_ pool: PostgresPool, _ query: PostgresQuery) async -> String {
        do {
            return try await pool.query(query).scalar("rows", as: String?.self).flatMap { $0 } ?? "none"
        } catch {
            return "unknown (\(error))"
        }
    }
}
