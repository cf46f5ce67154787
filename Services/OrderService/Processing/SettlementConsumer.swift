import Foundation
import Logging
import Messaging
import Postgres
import ServiceKit

/// Settles payment as seller orders are delivered (`delivery.delivered`): the collected
/// amount rises by what the courier collected for that shipment, and once every seller order
/// is delivered the order is `delivered` and its payment `paid` with nothing remaining. A
/// seller order is settled only from `assigned`, so a repeated or replayed delivery settles
/// nothing twice.
struct SettlementConsumer: Sendable {
    let pool: PostgresPool
    let logger: Logger

    func handle(_ message: IncomingMessage) async throws {
        let delivered = try SellerOrderDelivered.decode(message)
        guard let amount = Money.parse(delivered.collectedAmount), amount >= 0 else {
            throw PermanentMessageError("collectedAmount is not an amount: \(delivered.collectedAmount)")
        }
        try await pool.withTransaction(retries: 5) { tx in
            // The order first, then its seller order: the order every writer of both uses.
            guard let orderId = try await tx.query("""
                SELECT order_id FROM seller_orders WHERE split_order_id = \(delivered.splitOrderId)
                """).first?.decode("order_id", as: Int64.self) else {
                throw PermanentMessageError("no seller order \(delivered.splitOrderId)")
            }
            _ = try await tx.query("SELECT id FROM orders WHERE id = \(orderId) FOR UPDATE")
            let settled = try await tx.query("""
                UPDATE seller_orders SET status = 'delivered', updated_at = now()
                WHERE split_order_id = \(delivered.splitOrderId) AND status = 'assigned'
                """)
            guard settled.affectedRows == 1 else {
                logger.info("seller order already settled or cancelled", metadata: ["split_order_id": "\(delivered.splitOrderId)"])
                return
            }
            let payment = try await tx.query("""
                UPDATE payments
                SET collected_amount = least(total_amount, collected_amount + \(amount)),
                    remaining_amount = total_amount - least(total_amount, collected_amount + \(amount)),
                    status = CASE WHEN total_amount - least(total_amount, collected_amount + \(amount)) = 0 THEN 'paid'
                                  ELSE 'partially_paid' END
                WHERE order_id = \(orderId)
                RETURNING collected_amount, remaining_amount
                """)[0]
            let collected: Decimal = try payment.decode("collected_amount")
            logger.info("seller order delivered and settled", metadata: [
                "split_order_id": "\(delivered.splitOrderId)", "collected": "\(collected)",
            ])
            let open = try await tx.query("""
                SELECT count(*)::int AS n FROM seller_orders WHERE order_id = \(orderId) AND status = 'assigned'
                """).scalar("n", as: Int.self)
            if open == 0 { try await completeOrder(orderId, in: tx) }
        }
    }

    /// Every shipment arrived: the customer has paid in full.
    private func completeOrder(_ orderId: Int64, in tx: PostgresLease) async throws {
        _ = try await tx.query("""
            UPDATE payments SET collected_amount = total_amount, remaining_amount = 0, status = 'paid' WHERE order_id = \(orderId)
            """)
        let row = try await tx.query("""
            UPDATE orders o SET status = 'delivered', updated_at = now()
            FROM customers c, payments p
            WHERE o.id = \(orderId) AND c.id = o.customer_id AND p.order_id = o.id
            RETURNING o.shop_domain, o.shopify_order_id, o.name, o.currency, c.email, c.first_name, c.last_name, c.phone,
                      p.method, p.total_amount
            """)[0]
        let total = Money.format(try row.decode("total_amount"))
        try await Outbox.enqueue(
            OrderDelivered(
                orderId: String(orderId), shopifyOrderId: String(try row.decode("shopify_order_id", as: Int64.self)),
                shopDomain: try row.decode("shop_domain"), name: try row.decode("name"), currency: try row.decode("currency"),
                customer: .init(
                    email: try row.decode("email"), firstName: try row.decode("first_name"),
                    lastName: try row.decode("last_name"), phone: try row.decode("phone")),
                payment: .init(
                    method: try row.decode("method"), status: "paid", totalAmount: total, collectedAmount: total,
                    remainingAmount: "0.00")),
            in: tx)
        logger.info("order delivered and paid", metadata: ["order.id": "\(orderId)"])
    }
}
