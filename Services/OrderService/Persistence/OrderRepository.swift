import Foundation
import Postgres
import ServiceKit

/// Orders, their customers, payments and items in the `orders` schema. Every method runs in
/// the caller's transaction.
struct OrderRepository: Sendable {
    struct Stored: Sendable {
        var id: Int64
        var status: OrderStatus
        var shopifyUpdatedAt: Date
        var currency: String
    }

    /// The order, locked until the transaction ends, or nil.
    func lock(shopDomain: String, shopifyOrderId: Int64, in tx: PostgresLease) async throws -> Stored? {
        let key = OrderKey(shopDomain: shopDomain, shopifyOrderId: shopifyOrderId)
        return try await lockAll([key], in: tx)[key]
    }

    /// A batch's orders, locked until the transaction ends, by shop and Shopify order id;
    /// orders that do not exist are absent. One statement for the whole batch; the locks are
    /// taken in (shop, Shopify id) order, the order `WebhookProcessor` takes them in.
    func lockAll(_ keys: [OrderKey], in tx: PostgresLease) async throws -> [OrderKey: Stored] {
        guard !keys.isEmpty else { return [:] }
        var stored: [OrderKey: Stored] = [:]
        for row in try await tx.query(
            """
            SELECT o.id, o.shop_domain, o.shopify_order_id, o.status, o.shopify_updated_at, o.currency
            FROM orders o
            JOIN unnest(\(keys.map(\.shopDomain))::text[], \(keys.map(\.shopifyOrderId))::bigint[]) AS k(shop, shopify_id)
                ON o.shop_domain = k.shop AND o.shopify_order_id = k.shopify_id
            ORDER BY o.shop_domain COLLATE "C", o.shopify_order_id
            FOR UPDATE OF o
            """
        ) {
            let key = OrderKey(shopDomain: try row.decode("shop_domain"), shopifyOrderId: try row.decode("shopify_order_id"))
            stored[key] = Stored(
                id: try row.decode("id"),
                status: try OrderStatus(row: row),
                shopifyUpdatedAt: try row.decode("shopify_updated_at"),
                currency: try row.decode("currency")
            )
        }
        return stored
    }

    struct OrderKey: Hashable, Sendable {
        var shopDomain: String
        var shopifyOrderId: Int64
    }

    /// The customer's id: the same Shopify customer (or guest email) is one customer. An
    /// existing customer is only written (and so locked) when a field changed, so that
    /// concurrent orders of one customer do not queue behind each other.
    func upsertCustomer(
        _ customer: ShopifyOrderWebhook.Customer?,
        fallbackEmail: String?,
        shopDomain: String,
        in tx: PostgresLease
    ) async throws -> Int64 {
        let email = customer?.email ?? fallbackEmail
        let first = customer?.firstName
        let last = customer?.lastName
        let phone = customer?.phone
        if let shopifyId = customer?.id {
            if let existing = try await tx.query(
                """
                SELECT id, email IS NOT DISTINCT FROM coalesce(\(email), email)
                    AND first_name IS NOT DISTINCT FROM coalesce(\(first), first_name)
                    AND last_name IS NOT DISTINCT FROM coalesce(\(last), last_name)
                    AND phone IS NOT DISTINCT FROM coalesce(\(phone), phone) AS unchanged
                FROM customers WHERE shop_domain = \(shopDomain) AND shopify_customer_id = \(shopifyId)
                """
            ).first, try existing.decode("unchanged", as: Bool.self) {
                return try existing.decode("id")
            }
            return try await tx.query(
                """
                INSERT INTO customers (shop_domain, shopify_customer_id, email, first_name, last_name, phone)
                VALUES (\(shopDomain), \(shopifyId), \(email), \(first), \(last), \(phone))
                ON CONFLICT (shop_domain, shopify_customer_id) WHERE shopify_customer_id IS NOT NULL
                DO UPDATE SET email = coalesce(EXCLUDED.email, customers.email),
                    first_name = coalesce(EXCLUDED.first_name, customers.first_name),
                    last_name = coalesce(EXCLUDED.last_name, customers.last_name),
                    phone = coalesce(EXCLUDED.phone, customers.phone), updated_at = now()
                RETURNING id
                """
            )[0].decode("id")
        } else if let email {
            if let existing = try await tx.query(
                """
                SELECT id FROM customers
                WHERE shop_domain = \(shopDomain) AND lower(email) = lower(\(email))
                    AND shopify_customer_id IS NULL AND email IS NOT NULL
                """
            ).first {
                return try existing.decode("id")
            }
            return try await tx.query(
                """
                INSERT INTO customers (shop_domain, email, first_name, last_name, phone)
                VALUES (\(shopDomain), \(email), \(first), \(last), \(phone))
                ON CONFLICT (shop_domain, lower(email)) WHERE shopify_customer_id IS NULL AND email IS NOT NULL
                DO UPDATE SET updated_at = now()
                RETURNING id
                """
            )[0].decode("id")
        } else {
            return try await tx.query(
                """
                INSERT INTO customers (shop_domain, first_name, last_name, phone)
                VALUES (\(shopDomain), \(first), \(last), \(phone)) RETURNING id
                """
            )[0].decode("id")
        }
    }

    /// Inserts the order with its items and payment in one statement (one round trip, not
    /// one per row); nil, and nothing written, if the order exists already (created
    /// concurrently by another delivery).
    func insertOrder(
        _ order: ShopifyOrderWebhook,
        payment: PaymentSummary,
        updatedAt: Date,
        customerId: Int64,
        shopDomain: String,
        in tx: PostgresLease
    ) async throws -> Int64? {
        let createdAt = order.createdAt.flatMap { try? Date($0, strategy: .iso8601) }
        var refunded: [Int64: Int] = [:]
        for line in (order.refunds ?? []).flatMap({ $0.refundLineItems ?? [] }) { refunded[line.lineItemId, default: 0] += line.quantity }
        let items = String(
            decoding: try JSONEncoder().encode(order.lineItems.map { ItemRow($0, refunded: refunded[$0.id] ?? 0, revision: nil) }),
            as: UTF8.self
        )
        return try await tx.query(
            """
            WITH new_order AS (
                INSERT INTO orders (shop_domain, shopify_order_id, name, customer_id, status, currency, financial_status,
                                    shopify_created_at, shopify_updated_at, shipping_latitude, shipping_longitude,
                                    billing_latitude, billing_longitude)
                VALUES (\(shopDomain), \(order.id), \(order.name), \(customerId), \(OrderStatus.confirmed.rawValue), \(order.currency),
                        \(order.financialStatus), \(createdAt), \(updatedAt),
                        \(order.shippingAddress?.latitude), \(order.shippingAddress?.longitude),
                        \(order.billingAddress?.latitude), \(order.billingAddress?.longitude))
                ON CONFLICT (shop_domain, shopify_order_id) DO NOTHING
                RETURNING id
            ), items AS (
                INSERT INTO order_items (order_id, shopify_line_item_id, shopify_variant_id, sku, title, quantity, price, shipped,
                                         current_quantity, edit_released)
                SELECT new_order.id, i.line_item_id, i.variant_id, i.sku, i.title, i.quantity, i.price, i.shipped,
                       i.current_quantity, i.edit_released
                FROM new_order, jsonb_to_recordset(\(items)::jsonb)
                    AS i (line_item_id bigint, variant_id bigint, sku text, title text, quantity integer, price numeric,
                          shipped boolean, current_quantity integer, edit_released integer)
                ON CONFLICT (order_id, shopify_line_item_id) DO NOTHING
            ), payment AS (
                INSERT INTO payments (order_id, method, status, gateway, total_product_amount, shipping_amount, discount_amount,
                                      total_amount, collected_amount, remaining_amount, refunded_amount, currency)
                SELECT new_order.id, \(payment.method.rawValue), \(payment.status.rawValue), \(payment.gateway),
                       \(payment.totalProductAmount)::numeric, \(payment.shippingAmount)::numeric, \(payment.discountAmount)::numeric,
                       \(payment.totalAmount)::numeric, \(payment.collectedAmount)::numeric, \(payment.remainingAmount)::numeric,
                       \(payment.refundedAmount)::numeric, \(order.currency)
                FROM new_order
            )
            SELECT id FROM new_order
            """
        ).first.map { try $0.decode("id") }
    }

    /// Lines an edit added to a stored order, as `insertOrder` writes an order's lines.
    func insertItems(_ lines: [ShopifyOrderWebhook.LineItem], orderId: Int64, revision: String, in tx: PostgresLease) async throws {
        let items = String(decoding: try JSONEncoder().encode(lines.map { ItemRow($0, refunded: 0, revision: revision) }), as: UTF8.self)
        _ = try await tx.query(
            """
            INSERT INTO order_items (order_id, shopify_line_item_id, shopify_variant_id, sku, title, quantity, price, shipped,
                                     current_quantity, edit_released, added_revision)
            SELECT \(orderId), i.line_item_id, i.variant_id, i.sku, i.title, i.quantity, i.price, i.shipped,
                   i.current_quantity, i.edit_released, i.added_revision
            FROM jsonb_to_recordset(\(items)::jsonb)
                AS i (line_item_id bigint, variant_id bigint, sku text, title text, quantity integer, price numeric,
                      shipped boolean, current_quantity integer, edit_released integer, added_revision text)
            ON CONFLICT (order_id, shopify_line_item_id) DO NOTHING
            """
        )
    }

    /// A line item as `insertOrder` hands it to PostgreSQL (ids exact: JSON numbers are
    /// read as numeric there; the price as a decimal string).
    private struct ItemRow: Encodable {
        var line_item_id: Int64
        var variant_id: Int64?
        var sku: String
        var title: String?
        var quantity: Int
        var price: String
        var shipped: Bool
        var current_quantity: Int
        /// Units an edit removed before the order was first seen were never allocated: counted
        /// as given back, so that no later edit returns them.
        var edit_released: Int
        var added_revision: String?

        init(_ item: ShopifyOrderWebhook.LineItem, refunded: Int, revision: String?) {
            line_item_id = item.id
            variant_id = item.variantId
            sku = item.sku ?? ""
            title = item.title
            quantity = item.quantity
            price = Money.format(Money.parse(item.price) ?? 0)
            shipped = item.isShipped
            current_quantity = item.currentUnits
            edit_released = max(0, item.quantity - item.currentUnits - refunded)
            added_revision = revision
        }
    }

    /// What this side knows of the order's payment and Shopify does not: what couriers
    /// collected (settled here), what had been paid online when it was split less what was
    /// refunded since (0 before the split), and the refunds recorded here.
    func collectedHere(orderId: Int64, in tx: PostgresLease) async throws -> (cash: Decimal, advance: Decimal, refunded: Decimal) {
        guard
            let row = try await tx.query(
                "SELECT cash_collected, advance_amount, refunded_amount FROM payments WHERE order_id = \(orderId)"
            ).first
        else { return (0, 0, 0) }
        return (try row.decode("cash_collected"), try row.decode("advance_amount"), try row.decode("refunded_amount"))
    }

    /// Writes the payment record (insert, or replace with newer figures).
    func savePayment(_ payment: PaymentSummary, orderId: Int64, currency: String, in tx: PostgresLease) async throws {
        _ = try await tx.query(
            """
            INSERT INTO payments (order_id, method, status, gateway, total_product_amount, shipping_amount, discount_amount,
                                  total_amount, collected_amount, remaining_amount, refunded_amount, currency)
            VALUES (\(orderId), \(payment.method.rawValue), \(payment.status.rawValue), \(payment.gateway),
                    \(payment.totalProductAmount), \(payment.shippingAmount), \(payment.discountAmount),
                    \(payment.totalAmount), \(payment.collectedAmount), \(payment.remainingAmount), \(payment.refundedAmount),
                    \(currency))
            ON CONFLICT (order_id) DO UPDATE SET
                method = EXCLUDED.method, status = EXCLUDED.status, gateway = EXCLUDED.gateway,
                total_product_amount = EXCLUDED.total_product_amount, shipping_amount = EXCLUDED.shipping_amount,
                discount_amount = EXCLUDED.discount_amount, total_amount = EXCLUDED.total_amount,
                collected_amount = EXCLUDED.collected_amount, remaining_amount = EXCLUDED.remaining_amount,
                refunded_amount = EXCLUDED.refunded_amount
            """
        )
    }

    func updateOrder(_ order: ShopifyOrderWebhook, updatedAt: Date, orderId: Int64, in tx: PostgresLease) async throws {
        _ = try await tx.query(
            """
            UPDATE orders SET financial_status = \(order.financialStatus), shopify_updated_at = \(updatedAt),
                name = coalesce(\(order.name), name), updated_at = now()
            WHERE id = \(orderId)
            """
        )
    }

    @discardableResult
    func markCancelled(orderId: Int64, at: Date?, in tx: PostgresLease) async throws -> SellerOrderRepository.Cancellation {
        _ = try await tx.query(
            """
            UPDATE orders SET status = \(OrderStatus.cancelled.rawValue), cancelled_at = coalesce(\(at), now()), updated_at = now()
            WHERE id = \(orderId)
            """
        )
        return try await SellerOrderRepository().cancelAll(orderId: orderId, in: tx)
    }
}
