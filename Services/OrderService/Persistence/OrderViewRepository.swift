import Common
import Foundation
import Postgres

/// Orders as `GET /orders/{id}` shows them: the order, its customer, payment, items and
/// seller orders, read in three statements.
struct OrderViewRepository: Sendable {
    let pool: PostgresPool

    /// The order with that Shopify id (in `shop`, when given).
    func view(shopifyOrderId: Int64, shop: String?) async throws -> OrderView {
        let orders = try await pool.query(
            """
            SELECT o.id, o.shop_domain, o.name, o.status, o.currency, o.edit_notice,
                   c.email, c.first_name, c.last_name, c.phone,
                   p.method, p.status AS payment_status, p.total_product_amount, p.shipping_amount,
                   p.discount_amount, p.total_amount, p.collected_amount, p.remaining_amount, p.refunded_amount,
                   p.currency AS payment_currency
            FROM orders o
            JOIN customers c ON c.id = o.customer_id
            JOIN payments p ON p.order_id = o.id
            WHERE o.shopify_order_id = \(shopifyOrderId) AND (\(shop)::text IS NULL OR o.shop_domain = \(shop))
            LIMIT 2
            """
        )
        guard let row = orders.first else { throw OrderLookupError.notFound(shopifyOrderId) }
        guard orders.count == 1 else { throw OrderLookupError.inSeveralShops(shopifyOrderId) }
        let orderId: Int64 = try row.decode("id")
        let itemRows = try await pool.query(
            """
            SELECT i.sku, i.quantity, i.current_quantity, i.price, i.title, i.shopify_variant_id, si.seller_order_id
            FROM order_items i LEFT JOIN seller_order_items si ON si.order_item_id = i.id
            WHERE i.order_id = \(orderId) ORDER BY i.id
            """
        )
        var itemsBySellerOrder: [Int64: [OrderView.Item]] = [:]
        let items = try itemRows.map { row in
            let item = OrderView.Item(
                sku: try row.decode("sku"),
                quantity: try row.decode("current_quantity"),
                orderedQuantity: try row.decode("quantity"),
                price: Money.format(try row.decode("price")),
                title: try row.decode("title"),
                variantId: try row.decode("shopify_variant_id", as: Int64?.self).map(String.init)
            )
            if let sellerOrder = try row.decode("seller_order_id", as: Int64?.self) {
                itemsBySellerOrder[sellerOrder, default: []].append(item)
            }
            return item
        }
        let sellerOrders = try await pool.query(
            """
            SELECT id, split_order_id, vendor_id, vendor_name, hub_id, flow, status, items_amount, collect_amount
            FROM seller_orders WHERE order_id = \(orderId) ORDER BY id
            """
        ).map { row in
            OrderView.SellerOrder(
                splitOrderId: try row.decode("split_order_id"),
                vendorId: try row.decode("vendor_id"),
                vendorName: try row.decode("vendor_name"),
                hubId: try row.decode("hub_id"),
                flow: try row.decode("flow"),
                status: try row.decode("status"),
                items: itemsBySellerOrder[try row.decode("id")] ?? [],
                itemsAmount: Money.format(try row.decode("items_amount")),
                collectAmount: Money.format(try row.decode("collect_amount"))
            )
        }
        func amount(_ column: String) throws -> String { Money.format(try row.decode(column, as: Decimal.self)) }
        return OrderView(
            shopifyOrderId: String(shopifyOrderId),
            shopDomain: try row.decode("shop_domain"),
            name: try row.decode("name"),
            status: try row.decode("status"),
            editNotice: try row.decode("edit_notice"),
            currency: try row.decode("currency"),
            customer: try CustomerContact(row: row),
            items: items,
            payment: .init(
                method: try row.decode("method"),
                status: try row.decode("payment_status"),
                totalProductAmount: try amount("total_product_amount"),
                shippingAmount: try amount("shipping_amount"),
                discountAmount: try amount("discount_amount"),
                totalAmount: try amount("total_amount"),
                collectedAmount: try amount("collected_amount"),
                remainingAmount: try amount("remaining_amount"),
                refundedAmount: try amount("refunded_amount"),
                currency: try row.decode("payment_currency")
            ),
            sellerOrders: sellerOrders
        )
    }
}
