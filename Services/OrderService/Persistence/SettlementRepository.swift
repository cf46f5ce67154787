import Foundation
import Postgres
import ServiceKit

/// The rows settling a delivered seller order touches, in the caller's transaction: the
/// seller order, its order, and the order's payment.
struct SettlementRepository: Sendable {
    /// The id of the seller order's order, which is locked until the transaction ends (the
    /// order first, then its seller orders: the order every writer of both takes them in);
    /// nil if there is no such seller order.
    func lockOrder(splitOrderId: String, in tx: PostgresLease) async throws -> Int64? {
        guard
            let orderId = try await tx.query(
                """
                SELECT order_id FROM seller_orders WHERE split_order_id = \(splitOrderId)
                """
            ).first?.decode("order_id", as: Int64.self)
        else { return nil }
        _ = try await tx.query("SELECT id FROM orders WHERE id = \(orderId) FOR UPDATE")
        return orderId
    }

    /// Locks the order until the transaction ends; false if there is no such order.
    func lockOrder(id: Int64, in tx: PostgresLease) async throws -> Bool {
        try await !tx.query("SELECT id FROM orders WHERE id = \(id) FOR UPDATE").isEmpty
    }

    /// The order's status (the order locked by the caller).
    func orderStatus(id: Int64, in tx: PostgresLease) async throws -> OrderStatus? {
        try await tx.query("SELECT status FROM orders WHERE id = \(id)").first.map { try OrderStatus(row: $0) }
    }

    /// Moves the seller order to `delivered` and returns the status it left; nil if its status
    /// does not allow it.
    func markDelivered(splitOrderId: String, in tx: PostgresLease) async throws -> SellerOrderStatus? {
        let current = try await tx.query(
            """
            SELECT status FROM seller_orders WHERE split_order_id = \(splitOrderId) FOR UPDATE
            """
        ).first?.decode("status", as: String.self)
        guard let current = current.flatMap(SellerOrderStatus.init), current.moves(to: .delivered) else { return nil }
        _ = try await tx.query(
            """
            UPDATE seller_orders SET status = \(SellerOrderStatus.delivered.rawValue), updated_at = now()
            WHERE split_order_id = \(splitOrderId)
            """
        )
        return current
    }

    /// The announcement that a cancelled seller order's parcel was delivered anyway, with what
    /// the parcel holds: what its vendor was last told to ship.
    func deliveredAfterCancel(splitOrderId: String, orderId: Int64, in tx: PostgresLease) async throws -> SellerOrderDeliveredAfterCancel {
        let order = try await tx.query("SELECT shopify_order_id, shop_domain FROM orders WHERE id = \(orderId)")[0]
        let lines = try await tx.query(
            """
            SELECT i.shopify_line_item_id, coalesce(si.quantity, i.current_quantity) AS quantity
            FROM seller_orders s
            JOIN seller_order_items si ON si.seller_order_id = s.id
            JOIN order_items i ON i.id = si.order_item_id
            WHERE s.split_order_id = \(splitOrderId) AND coalesce(si.quantity, i.current_quantity) > 0
            ORDER BY i.id
            """
        ).map {
            SellerOrderDeliveredAfterCancel.Line(
                lineItemId: String(try $0.decode("shopify_line_item_id", as: Int64.self)),
                quantity: try $0.decode("quantity")
            )
        }
        return SellerOrderDeliveredAfterCancel(
            splitOrderId: splitOrderId,
            orderId: String(orderId),
            shopifyOrderId: String(try order.decode("shopify_order_id", as: Int64.self)),
            shopDomain: try order.decode("shop_domain"),
            lines: lines
        )
    }

    /// How many of the order's seller orders are still on their way.
    func assignedCount(orderId: Int64, in tx: PostgresLease) async throws -> Int {
        try await tx.query(
            """
            SELECT count(*)::int AS n FROM seller_orders
            WHERE order_id = \(orderId) AND status = \(SellerOrderStatus.assigned.rawValue)
            """
        ).scalar("n", as: Int.self) ?? 0
    }

    func payment(orderId: Int64, in tx: PostgresLease) async throws -> Settlement {
        let row = try await tx.query(
            """
            SELECT total_amount, collected_amount, cash_collected, refunded_amount FROM payments WHERE order_id = \(orderId) FOR UPDATE
            """
        )[0]
        return Settlement(
            totalAmount: try row.decode("total_amount"),
            collectedAmount: try row.decode("collected_amount"),
            cashCollected: try row.decode("cash_collected"),
            refundedAmount: try row.decode("refunded_amount")
        )
    }

    func save(_ settlement: Settlement, orderId: Int64, in tx: PostgresLease) async throws {
        _ = try await tx.query(
            """
            UPDATE payments SET collected_amount = \(settlement.collectedAmount), remaining_amount = \(settlement.remainingAmount),
                status = \(settlement.status.rawValue), cash_collected = \(settlement.cashCollected)
            WHERE order_id = \(orderId)
            """
        )
    }

    /// An allocated order with no seller order on its way and no added lines waiting (an edit
    /// emptied the last one, or lines an edit added were refused) is done: `delivered`, its
    /// payment as it stands. Returns its announcement, or nil when it is not done.
    func completeIfDone(orderId: Int64, in tx: PostgresLease) async throws -> OrderDelivered? {
        guard
            try await tx.query("SELECT status FROM orders WHERE id = \(orderId)").scalar("status", as: String.self)
                == OrderStatus.allocated.rawValue,
            try await assignedCount(orderId: orderId, in: tx) == 0,
            try await !SellerOrderRepository().awaitsAddedLines(orderId: orderId, in: tx)
        else { return nil }
        return try await markOrderDelivered(orderId: orderId, in: tx)
    }

    /// Moves the order to `delivered` and returns its announcement.
    func markOrderDelivered(orderId: Int64, in tx: PostgresLease) async throws -> OrderDelivered {
        let row = try await tx.query(
            """
            UPDATE orders o SET status = \(OrderStatus.delivered.rawValue), updated_at = now()
            FROM customers c, payments p
            WHERE o.id = \(orderId) AND c.id = o.customer_id AND p.order_id = o.id
            RETURNING o.shop_domain, o.shopify_order_id, o.name, o.currency, c.email, c.first_name, c.last_name, c.phone,
                      p.method, p.status, p.total_amount, p.collected_amount, p.remaining_amount
            """
        )[0]
        return OrderDelivered(
            orderId: String(orderId),
            shopifyOrderId: String(try row.decode("shopify_order_id", as: Int64.self)),
            shopDomain: try row.decode("shop_domain"),
            name: try row.decode("name"),
            currency: try row.decode("currency"),
            customer: try CustomerContact(row: row),
            payment: .init(
                method: try row.decode("method"),
                status: try row.decode("status"),
                totalAmount: Money.format(try row.decode("total_amount")),
                collectedAmount: Money.format(try row.decode("collected_amount")),
                remainingAmount: Money.format(try row.decode("remaining_amount"))
            )
        )
    }
}
