import Foundation
import Postgres
import ServiceKit

/// Seller orders (an order split per vendor) in the `orders` schema, in the caller's transaction.
struct SellerOrderRepository: Sendable {
    /// An order with what splitting it needs, locked until the transaction ends.
    struct LockedOrder: Sendable {
        var id: Int64
        var status: OrderStatus
        var shopDomain: String
        var shopifyOrderId: Int64
        var name: String?
        var currency: String
        var customer: CustomerContact
        var paymentMethod: String
        var paymentStatus: String
        var totalAmount: Decimal
        var collectedAmount: Decimal
        var remainingAmount: Decimal
        var items: [OrderItem]
    }

    /// The order with its items, locked; nil if there is no such order.
    func lockOrder(id: Int64, in tx: PostgresLease) async throws -> LockedOrder? {
        try await lockOrders(ids: [id], in: tx)[id]
    }

    /// The orders with their shipped items, by id, locked in id order (so that two transactions
    /// locking overlapping sets cannot deadlock); ids with no order are absent. The items are
    /// the order's own, or with `addedBy` those the edit of that revision added.
    func lockOrders(ids: [Int64], addedBy revision: String? = nil, in tx: PostgresLease) async throws -> [Int64: LockedOrder] {
        let rows = try await tx.query(
            """
            SELECT o.id, o.status, o.shop_domain, o.shopify_order_id, o.name, o.currency,
                   c.email, c.first_name, c.last_name, c.phone,
                   p.method, p.status AS payment_status, p.total_amount, p.collected_amount, p.remaining_amount,
                   i.id AS item_id, i.shopify_line_item_id, i.shopify_variant_id, i.sku, i.title, i.current_quantity, i.price
            FROM orders o
            JOIN customers c ON c.id = o.customer_id
            JOIN payments p ON p.order_id = o.id
            LEFT JOIN order_items i ON i.order_id = o.id AND i.shipped AND i.added_revision IS NOT DISTINCT FROM \(revision)
            WHERE o.id = ANY(\(ids)::bigint[])
            ORDER BY o.id, i.id
            FOR UPDATE OF o
            """
        )
        var orders: [Int64: LockedOrder] = [:]
        for row in rows {
            let id: Int64 = try row.decode("id")
            // The shipped lines only (an order of tips and gift cards has none).
            let item = try row.decode("item_id", as: Int64?.self).map { itemId in
                OrderItem(
                    id: itemId,
                    lineItemId: String(try row.decode("shopify_line_item_id", as: Int64.self)),
                    variantId: try row.decode("shopify_variant_id", as: Int64?.self).map(String.init),
                    sku: try row.decode("sku"),
                    title: try row.decode("title"),
                    quantity: try row.decode("current_quantity"),
                    price: try row.decode("price")
                )
            }
            if orders[id] != nil {
                if let item { orders[id]!.items.append(item) }
                continue
            }
            orders[id] = LockedOrder(
                id: id,
                status: try OrderStatus(row: row),
                shopDomain: try row.decode("shop_domain"),
                shopifyOrderId: try row.decode("shopify_order_id"),
                name: try row.decode("name"),
                currency: try row.decode("currency"),
                customer: try CustomerContact(row: row),
                paymentMethod: try row.decode("method"),
                paymentStatus: try row.decode("payment_status"),
                totalAmount: try row.decode("total_amount"),
                collectedAmount: try row.decode("collected_amount"),
                remainingAmount: try row.decode("remaining_amount"),
                items: item.map { [$0] } ?? []
            )
        }
        return orders
    }

    /// Inserts seller orders with their items, of any number of orders, in one statement.
    func insert(_ sellerOrders: [(sellerOrder: SellerOrderDraft, orderId: Int64)], in tx: PostgresLease) async throws {
        guard !sellerOrders.isEmpty else { return }
        let rows = String(decoding: try JSONEncoder().encode(sellerOrders.map(SellerOrderRow.init)), as: UTF8.self)
        _ = try await tx.query(
            """
            WITH input AS (
                SELECT * FROM jsonb_to_recordset(\(rows)::jsonb)
                    AS r (split_order_id text, order_id bigint, vendor_id text, vendor_name text, vendor_email text,
                          hub_id text, flow text, items_amount numeric, collect_amount numeric, item_ids bigint[])
            ), created AS (
                INSERT INTO seller_orders (split_order_id, order_id, vendor_id, vendor_name, vendor_email, hub_id, flow,
                                           status, items_amount, collect_amount)
                SELECT split_order_id, order_id, vendor_id, vendor_name, vendor_email, hub_id, flow, \(SellerOrderStatus.assigned.rawValue),
                       items_amount, collect_amount
                FROM input
                RETURNING id, split_order_id
            )
            INSERT INTO seller_order_items (seller_order_id, order_item_id, quantity)
            SELECT created.id, item, i.current_quantity
            FROM created JOIN input USING (split_order_id), unnest(input.item_ids) AS item JOIN order_items i ON i.id = item
            """
        )
    }

    /// One seller order as the insert reads it; amounts as strings, so they stay exact.
    private struct SellerOrderRow: Encodable {
        var split_order_id: String
        var order_id: Int64
        var vendor_id: String
        var vendor_name: String
        var vendor_email: String
        var hub_id: String?
        var flow: String
        var items_amount: String
        var collect_amount: String
        var item_ids: [Int64]

        init(_ entry: (sellerOrder: SellerOrderDraft, orderId: Int64)) {
            let sellerOrder = entry.sellerOrder
            split_order_id = sellerOrder.splitOrderId
            order_id = entry.orderId
            vendor_id = sellerOrder.vendorId
            vendor_name = sellerOrder.vendorName
            vendor_email = sellerOrder.vendorEmail
            hub_id = sellerOrder.hubId
            flow = sellerOrder.flow
            items_amount = "\(sellerOrder.itemsAmount)"
            collect_amount = "\(sellerOrder.collectAmount)"
            item_ids = sellerOrder.items.map(\.id)
        }
    }

    /// The orders are split: what had been paid online by now is their advance, the part no
    /// courier collects.
    func markAllocated(orderIds: [Int64], in tx: PostgresLease) async throws {
        guard !orderIds.isEmpty else { return }
        _ = try await tx.query(
            """
            WITH split AS (
                UPDATE orders SET status = \(OrderStatus.allocated.rawValue), updated_at = now() WHERE id = ANY(\(orderIds)::bigint[])
                RETURNING id
            )
            UPDATE payments p SET advance_amount = p.collected_amount FROM split WHERE p.order_id = split.id
            """
        )
    }

    /// The order's seller orders still on their way collect `remaining` between them
    /// (`Recollection`); returns the announcements of those whose amount changed. The order
    /// must be locked by the
    /// caller (the order first, then its seller orders, as every writer takes them).
    func recollect(orderId: Int64, remaining: Decimal, in tx: PostgresLease) async throws -> [SellerOrderCollectionChanged] {
        let rows = try await tx.query(
            """
            SELECT s.split_order_id, s.items_amount, s.collect_amount, s.vendor_id, s.vendor_name, s.vendor_email,
                   o.shopify_order_id, o.shop_domain, o.name, o.currency
            FROM seller_orders s JOIN orders o ON o.id = s.order_id
            WHERE s.order_id = \(orderId) AND s.status = \(SellerOrderStatus.assigned.rawValue)
            ORDER BY s.id
            FOR UPDATE OF s
            """
        )
        let assigned = try rows.map {
            Recollection.SellerOrder(
                splitOrderId: try $0.decode("split_order_id"),
                itemsAmount: try $0.decode("items_amount"),
                collectAmount: try $0.decode("collect_amount")
            )
        }
        var changes: [SellerOrderCollectionChanged] = []
        for change in Recollection.changes(assigned: assigned, remaining: remaining) {
            let row = try rows.first { try $0.decode("split_order_id", as: String.self) == change.splitOrderId }!
            let version =
                try await tx.query(
                    """
                    UPDATE seller_orders SET collect_amount = \(change.collectAmount), collect_version = collect_version + 1, updated_at = now()
                    WHERE split_order_id = \(change.splitOrderId)
                    RETURNING collect_version
                    """
                ).scalar("collect_version", as: Int.self) ?? 0
            changes.append(
                SellerOrderCollectionChanged(
                    splitOrderId: change.splitOrderId,
                    orderId: String(orderId),
                    shopifyOrderId: String(try row.decode("shopify_order_id", as: Int64.self)),
                    shopDomain: try row.decode("shop_domain"),
                    name: try row.decode("name"),
                    currency: try row.decode("currency"),
                    vendorId: try row.decode("vendor_id"),
                    vendorName: try row.decode("vendor_name"),
                    vendorEmail: try row.decode("vendor_email"),
                    previousCollectAmount: Money.format(change.previousCollectAmount),
                    collectAmount: Money.format(change.collectAmount),
                    version: version
                )
            )
        }
        return changes
    }

    /// Orders with nothing to ship (only tips, gift cards, custom items) are delivered once
    /// allocated: there is no seller order to wait for.
    func markFulfilledWithoutShipping(orderIds: [Int64], in tx: PostgresLease) async throws {
        guard !orderIds.isEmpty else { return }
        _ = try await tx.query(
            """
            UPDATE orders SET status = \(OrderStatus.delivered.rawValue), updated_at = now() WHERE id = ANY(\(orderIds)::bigint[])
            """
        )
    }

    func markAllocationFailed(orderId: Int64, reason: String, in tx: PostgresLease) async throws {
        _ = try await tx.query(
            """
            UPDATE orders SET status = \(OrderStatus.allocationFailed.rawValue), allocation_failure = \(reason), updated_at = now()
            WHERE id = \(orderId)
            """
        )
    }

    /// How many seller orders the order has (of any status).
    func count(orderId: Int64, in tx: PostgresLease) async throws -> Int {
        try await tx.query("SELECT count(*)::int AS n FROM seller_orders WHERE order_id = \(orderId)").scalar("n", as: Int.self) ?? 0
    }

    /// Whether any of these order items is in a seller order already.
    func anyShipped(_ orderItemIds: [Int64], in tx: PostgresLease) async throws -> Bool {
        try await tx.query(
            "SELECT EXISTS (SELECT 1 FROM seller_order_items WHERE order_item_id = ANY(\(orderItemIds)::bigint[])) AS any"
        ).scalar("any", as: Bool.self) ?? false
    }

    /// Whether lines an edit added still wait for their allocation (stored, with units, in no
    /// seller order, not refused): they keep the order open.
    func awaitsAddedLines(orderId: Int64, in tx: PostgresLease) async throws -> Bool {
        try await tx.query(
            """
            SELECT EXISTS (
                SELECT 1 FROM order_items i
                WHERE i.order_id = \(orderId) AND i.added_revision IS NOT NULL AND i.shipped AND i.current_quantity > 0
                  AND NOT i.allocation_refused
                  AND NOT EXISTS (SELECT 1 FROM seller_order_items si WHERE si.order_item_id = i.id)
            ) AS waiting
            """
        ).scalar("waiting", as: Bool.self) ?? false
    }

    /// Marks the lines an edit of that revision added as refused by InventoryService.
    func refuseAddedLines(orderId: Int64, revision: String, in tx: PostgresLease) async throws {
        _ = try await tx.query(
            "UPDATE order_items SET allocation_refused = true WHERE order_id = \(orderId) AND added_revision = \(revision)"
        )
    }

    func anyDelivered(orderId: Int64, in tx: PostgresLease) async throws -> Bool {
        try await tx.query(
            """
            SELECT EXISTS (SELECT 1 FROM seller_orders WHERE order_id = \(orderId) AND status = \(SellerOrderStatus.delivered.rawValue)) AS any
            """
        ).scalar("any", as: Bool.self) ?? false
    }

    /// What cancelling an order did to its seller orders.
    struct Cancellation: Sendable {
        /// The seller orders cancelled (those not delivered yet).
        var cancelled: [CancelledSellerOrder] = []
        /// The Shopify line ids of the seller orders already delivered: kept by the customer.
        var keptLineItemIds: [String] = []
    }

    struct CancelledSellerOrder: Sendable {
        var splitOrderId: String
        var vendorId: String
        var vendorName: String
        var vendorEmail: String
        var hubId: String?
    }

    /// A cancelled order's seller orders that have not been delivered are cancelled with it;
    /// delivered ones stay delivered.
    func cancelAll(orderId: Int64, in tx: PostgresLease) async throws -> Cancellation {
        let cancelled = try await tx.query(
            """
            UPDATE seller_orders SET status = \(SellerOrderStatus.cancelled.rawValue), updated_at = now()
            WHERE order_id = \(orderId) AND status = \(SellerOrderStatus.assigned.rawValue)
            RETURNING split_order_id, vendor_id, vendor_name, vendor_email, hub_id
            """
        ).map { row in
            CancelledSellerOrder(
                splitOrderId: try row.decode("split_order_id"),
                vendorId: try row.decode("vendor_id"),
                vendorName: try row.decode("vendor_name"),
                vendorEmail: try row.decode("vendor_email"),
                hubId: try row.decode("hub_id")
            )
        }
        let kept = try await tx.query(
            """
            SELECT i.shopify_line_item_id
            FROM seller_orders s
            JOIN seller_order_items si ON si.seller_order_id = s.id
            JOIN order_items i ON i.id = si.order_item_id
            WHERE s.order_id = \(orderId) AND s.status = \(SellerOrderStatus.delivered.rawValue)
            ORDER BY i.id
            """
        ).map { String(try $0.decode("shopify_line_item_id", as: Int64.self)) }
        return Cancellation(cancelled: cancelled.sorted { $0.splitOrderId < $1.splitOrderId }, keptLineItemIds: kept)
    }
}
