import Foundation
import Postgres
import ServiceKit

/// An order's lines as edits change them, and the seller orders that ship them, in the
/// caller's transaction (the order locked by the caller).
struct OrderEditRepository: Sendable {
    /// The order's stored lines, as an edit reads them.
    struct Lines: Sendable {
        var stored: [OrderEdit.StoredLine] = []
        /// Units refunds took back, per Shopify line id.
        var refunded: [Int64: Int] = [:]
        /// Lines a vendor ships (allocated and split), and of those the ones delivered already.
        var shipped: Set<Int64> = []
        var delivered: Set<Int64> = []
        /// The edit revision that added a line, for lines an edit added.
        var addedBy: [Int64: String] = [:]
    }

    func lines(orderId: Int64, in tx: PostgresLease) async throws -> Lines {
        let rows = try await tx.query(
            """
            SELECT i.shopify_line_item_id, i.quantity, i.current_quantity, i.edit_released, i.shipped, i.added_revision,
                   coalesce((SELECT sum(r.quantity) FROM refund_line_items r JOIN refunds f ON f.id = r.refund_id
                             WHERE f.order_id = i.order_id AND r.shopify_line_item_id = i.shopify_line_item_id), 0)::int AS refunded,
                   EXISTS (SELECT 1 FROM seller_order_items si JOIN seller_orders s ON s.id = si.seller_order_id
                           WHERE si.order_item_id = i.id AND s.status = \(SellerOrderStatus.delivered.rawValue)) AS delivered
            FROM order_items i WHERE i.order_id = \(orderId) ORDER BY i.id
            """
        )
        var lines = Lines()
        for row in rows {
            let id: Int64 = try row.decode("shopify_line_item_id")
            lines.stored.append(
                .init(
                    lineItemId: id,
                    ordered: try row.decode("quantity"),
                    current: try row.decode("current_quantity"),
                    editReleased: try row.decode("edit_released")
                )
            )
            lines.refunded[id] = try row.decode("refunded")
            if try row.decode("shipped", as: Bool.self) { lines.shipped.insert(id) }
            if try row.decode("delivered", as: Bool.self) { lines.delivered.insert(id) }
            if let revision = try row.decode("added_revision", as: String?.self) { lines.addedBy[id] = revision }
        }
        return lines
    }

    /// The edit revision that added each line an edit added, by Shopify line id.
    func addedRevisions(orderId: Int64, in tx: PostgresLease) async throws -> [Int64: String] {
        var revisions: [Int64: String] = [:]
        for row in try await tx.query(
            """
            SELECT shopify_line_item_id, added_revision FROM order_items
            WHERE order_id = \(orderId) AND added_revision IS NOT NULL
            """
        ) {
            revisions[try row.decode("shopify_line_item_id")] = try row.decode("added_revision")
        }
        return revisions
    }

    /// Records on the order what of an edit this service did not carry out (`editNotice`),
    /// once each, after what it recorded before.
    func report(_ notice: String, orderId: Int64, in tx: PostgresLease) async throws {
        _ = try await tx.query(
            """
            UPDATE orders SET edit_notice = CASE
                WHEN edit_notice IS NULL THEN \(notice)
                WHEN strpos(edit_notice, \(notice)) > 0 THEN edit_notice
                ELSE edit_notice || '; ' || \(notice) END
            WHERE id = \(orderId)
            """
        )
    }

    func apply(_ changes: [OrderEdit.Change], orderId: Int64, in tx: PostgresLease) async throws {
        guard !changes.isEmpty else { return }
        _ = try await tx.query(
            """
            UPDATE order_items i SET current_quantity = c.current, edit_released = c.released
            FROM unnest(\(changes.map(\.lineItemId))::bigint[], \(changes.map(\.current))::int[], \(changes.map(\.editReleased))::int[])
                AS c (line, current, released)
            WHERE i.order_id = \(orderId) AND i.shopify_line_item_id = c.line
            """
        )
    }

    /// The assigned seller orders shipping any of `lineItemIds`, after their lines changed:
    /// each one's items amount follows its lines; one with nothing left to ship is cancelled.
    /// Returns the ones still shipping something, with their lines, and the cancelled ones.
    func followSellerOrders(
        orderId: Int64,
        lineItemIds: [Int64],
        revision: String,
        in tx: PostgresLease
    ) async throws -> (changed: [SellerOrderChanged], cancelled: [SellerOrderRepository.CancelledSellerOrder]) {
        guard !lineItemIds.isEmpty else { return ([], []) }
        let rows = try await tx.query(
            """
            WITH touched AS (
                SELECT DISTINCT s.id FROM seller_orders s
                JOIN seller_order_items si ON si.seller_order_id = s.id
                JOIN order_items i ON i.id = si.order_item_id
                WHERE s.order_id = \(orderId) AND s.status = \(SellerOrderStatus.assigned.rawValue)
                  AND i.shopify_line_item_id = ANY(\(lineItemIds)::bigint[])
            ), amounts AS (
                SELECT si.seller_order_id AS id, sum(i.price * i.current_quantity) AS items_amount,
                       sum(i.current_quantity) AS units
                FROM seller_order_items si JOIN order_items i ON i.id = si.order_item_id
                WHERE si.seller_order_id IN (SELECT id FROM touched)
                GROUP BY si.seller_order_id
            )
            UPDATE seller_orders s
            SET items_amount = a.items_amount, updated_at = now(),
                status = CASE WHEN a.units = 0 THEN \(SellerOrderStatus.cancelled.rawValue) ELSE s.status END
            FROM amounts a, orders o
            WHERE s.id = a.id AND o.id = s.order_id
            RETURNING s.id, s.split_order_id, s.vendor_id, s.vendor_name, s.vendor_email, s.hub_id, s.status, s.items_amount,
                      o.shopify_order_id, o.shop_domain, o.name
            """
        )
        var changed: [SellerOrderChanged] = []
        var cancelled: [SellerOrderRepository.CancelledSellerOrder] = []
        for row in try rows.sorted(by: { try $0.decode("id", as: Int64.self) < $1.decode("id", as: Int64.self) }) {
            let split: String = try row.decode("split_order_id")
            if try row.decode("status", as: String.self) == SellerOrderStatus.cancelled.rawValue {
                cancelled.append(
                    .init(
                        splitOrderId: split,
                        vendorId: try row.decode("vendor_id"),
                        vendorName: try row.decode("vendor_name"),
                        vendorEmail: try row.decode("vendor_email"),
                        hubId: try row.decode("hub_id")
                    )
                )
                continue
            }
            // What the vendor is told to ship now (a cancelled one keeps its last instruction).
            let items = try await tx.query(
                """
                WITH told AS (
                    UPDATE seller_order_items si SET quantity = i.current_quantity
                    FROM order_items i
                    WHERE si.seller_order_id = \(try row.decode("id", as: Int64.self)) AND i.id = si.order_item_id
                    RETURNING i.id, i.shopify_line_item_id, i.sku, i.title, i.current_quantity
                )
                SELECT shopify_line_item_id, sku, title, current_quantity FROM told WHERE current_quantity > 0 ORDER BY id
                """
            ).map {
                SellerOrderChanged.Item(
                    lineItemId: String(try $0.decode("shopify_line_item_id", as: Int64.self)),
                    sku: try $0.decode("sku"),
                    title: try $0.decode("title"),
                    quantity: try $0.decode("current_quantity")
                )
            }
            changed.append(
                SellerOrderChanged(
                    splitOrderId: split,
                    orderId: String(orderId),
                    shopifyOrderId: String(try row.decode("shopify_order_id", as: Int64.self)),
                    shopDomain: try row.decode("shop_domain"),
                    name: try row.decode("name"),
                    vendorId: try row.decode("vendor_id"),
                    vendorName: try row.decode("vendor_name"),
                    vendorEmail: try row.decode("vendor_email"),
                    itemsAmount: Money.format(try row.decode("items_amount")),
                    revision: revision,
                    items: items
                )
            )
        }
        return (changed, cancelled)
    }
}
