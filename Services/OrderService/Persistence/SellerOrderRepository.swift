import Foundation
import Postgres
import ServiceKit

/// Seller orders (an order split per vendor) in the `orders` schema, in the caller's transaction.
struct SellerOrderRepository: Sendable {
    /// An order with what splitting it needs, locked until the transaction ends.
    struct LockedOrder: Sendable {
        var id: Int64
        var status: String
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
        var items: [Item]
    }

    struct Item: Sendable {
        var id: Int64
        var lineItemId: String
        var variantId: String?
        var sku: String
        var title: String?
        var quantity: Int
        var price: Decimal
    }

    struct NewSellerOrder: Sendable {
        var splitOrderId: String
        var vendorId: String
        var vendorName: String
        var vendorEmail: String
        var hubId: String?
        var flow: String
        var itemsAmount: Decimal
        var collectAmount: Decimal
        var items: [Item]
    }

    /// The order with its items; one row per item.
    func lockOrder(id: Int64, in tx: PostgresLease) async throws -> LockedOrder? {
        let rows = try await tx.query("""
            SELECT o.id, o.status, o.shop_domain, o.shopify_order_id, o.name, o.currency,
                   c.email, c.first_name, c.last_name, c.phone,
                   p.method, p.status AS payment_status, p.total_amount, p.collected_amount, p.remaining_amount,
                   i.id AS item_id, i.shopify_line_item_id, i.shopify_variant_id, i.sku, i.title, i.quantity, i.price
            FROM orders o
            JOIN customers c ON c.id = o.customer_id
            JOIN payments p ON p.order_id = o.id
            JOIN order_items i ON i.order_id = o.id
            WHERE o.id = \(id)
            ORDER BY i.id
            FOR UPDATE OF o
            """)
        guard let row = rows.first else { return nil }
        return LockedOrder(
            id: try row.decode("id"), status: try row.decode("status"), shopDomain: try row.decode("shop_domain"),
            shopifyOrderId: try row.decode("shopify_order_id"), name: try row.decode("name"),
            currency: try row.decode("currency"),
            customer: .init(
                email: try row.decode("email"), firstName: try row.decode("first_name"),
                lastName: try row.decode("last_name"), phone: try row.decode("phone")),
            paymentMethod: try row.decode("method"), paymentStatus: try row.decode("payment_status"),
            totalAmount: try row.decode("total_amount"), collectedAmount: try row.decode("collected_amount"),
            remainingAmount: try row.decode("remaining_amount"),
            items: try rows.map { item in
                Item(
                    id: try item.decode("item_id"),
                    lineItemId: String(try item.decode("shopify_line_item_id", as: Int64.self)),
                    variantId: try item.decode("shopify_variant_id", as: Int64?.self).map(String.init),
                    sku: try item.decode("sku"), title: try item.decode("title"), quantity: try item.decode("quantity"),
                    price: try item.decode("price"))
            })
    }

    func insert(_ sellerOrder: NewSellerOrder, orderId: Int64, in tx: PostgresLease) async throws {
        _ = try await tx.query("""
            WITH created AS (
                INSERT INTO seller_orders (split_order_id, order_id, vendor_id, vendor_name, vendor_email, hub_id, flow,
                                           status, items_amount, collect_amount)
                VALUES (\(sellerOrder.splitOrderId), \(orderId), \(sellerOrder.vendorId), \(sellerOrder.vendorName),
                        \(sellerOrder.vendorEmail), \(sellerOrder.hubId), \(sellerOrder.flow), 'assigned',
                        \(sellerOrder.itemsAmount), \(sellerOrder.collectAmount))
                RETURNING id
            )
            INSERT INTO seller_order_items (seller_order_id, order_item_id)
            SELECT created.id, item FROM created, unnest(\(sellerOrder.items.map(\.id))::bigint[]) AS item
            """)
    }

    func markAllocated(orderId: Int64, in tx: PostgresLease) async throws {
        _ = try await tx.query("""
            UPDATE orders SET status = 'allocated', updated_at = now() WHERE id = \(orderId)
            """)
    }

    func markAllocationFailed(orderId: Int64, reason: String, in tx: PostgresLease) async throws {
        _ = try await tx.query("""
            UPDATE orders SET status = 'allocation_failed', allocation_failure = \(reason), updated_at = now()
            WHERE id = \(orderId)
            """)
    }

    /// A cancelled order's seller orders that have not been delivered are cancelled with it.
    func cancelAll(orderId: Int64, in tx: PostgresLease) async throws {
        _ = try await tx.query("""
            UPDATE seller_orders SET status = 'cancelled', updated_at = now()
            WHERE order_id = \(orderId) AND status = 'assigned'
            """)
    }
}
