import Foundation
import Postgres
import ServiceKit

/// Allocation and release in the `inventory` schema, each inside the caller's transaction.
///
/// Stock rows are locked before they are read (`FOR UPDATE`, in id order, the one order every
/// writer of stock uses), so concurrent orders and replicas see each other's effects and
/// never deadlock on hot SKUs. The decrement is also conditional and the table has a CHECK:
/// stock cannot go below zero even if this logic were wrong.
struct AllocationRepository: Sendable {
    enum Outcome {
        case allocated(StockAllocated)
        case failed(AllocationFailed)
        /// The order was allocated (or refused, or cancelled) before: nothing to do.
        case alreadyHandled
    }

    func allocate(_ order: ConfirmedOrder, in tx: PostgresLease) async throws -> Outcome {
        // The order's row is the once-per-order guard: a concurrent copy waits here for this
        // transaction and then finds the row.
        let claimed = try await tx.query("""
            INSERT INTO allocations (order_id, shop_domain, shopify_order_id, status)
            VALUES (\(order.orderId), \(order.shopDomain), \(order.shopifyOrderId), 'allocated')
            ON CONFLICT (order_id) DO NOTHING
            """)
        guard claimed.affectedRows == 1 else { return .alreadyHandled }

        let lines = try await resolveLines(order.items, in: tx)
        guard !lines.isEmpty else {
            return try await refuse(order, reason: "the order has no line items", unfilled: [], in: tx)
        }
        let skus = Array(Set(lines.map(\.sku)))
        // The order's stock rows with their offers, vendors and hubs, in one round trip: only
        // hubs holding these SKUs can serve the order.
        let levels = try await tx.query("""
            SELECT s.id, s.sku, s.vendor_id, s.hub_id, s.quantity, o.margin,
                   v.name AS vendor_name, v.email AS vendor_email, v.latitude, v.longitude,
                   h.latitude AS hub_latitude, h.longitude AS hub_longitude, h.radius_km, h.active AS hub_active
            FROM stock s
            JOIN offers o ON o.sku = s.sku AND o.vendor_id = s.vendor_id
            JOIN vendors v ON v.id = s.vendor_id
            LEFT JOIN hubs h ON h.id = s.hub_id
            WHERE s.sku = ANY(\(skus)::text[]) AND s.quantity > 0
            ORDER BY s.id
            FOR UPDATE OF s
            """)
        var vendors: [String: AllocationInput.Vendor] = [:]
        var hubs: [String: AllocationInput.Hub] = [:]
        let stock = try levels.map { row -> AllocationInput.Level in
            let vendorId: String = try row.decode("vendor_id")
            vendors[vendorId] = AllocationInput.Vendor(
                id: vendorId, name: try row.decode("vendor_name"), email: try row.decode("vendor_email"),
                point: GeoPoint(latitude: try row.decode("latitude"), longitude: try row.decode("longitude")))
            let hubId: String? = try row.decode("hub_id")
            if let hubId {
                hubs[hubId] = AllocationInput.Hub(
                    id: hubId,
                    point: GeoPoint(latitude: try row.decode("hub_latitude"), longitude: try row.decode("hub_longitude")),
                    radiusKm: try row.decode("radius_km"), active: try row.decode("hub_active"))
            }
            return AllocationInput.Level(
                stockId: try row.decode("id"), sku: try row.decode("sku"), vendorId: vendorId,
                hubId: hubId, quantity: try row.decode("quantity"), margin: try row.decode("margin"))
        }
        let point = AllocationInput.customerPoint(shipping: order.shippingPoint, billing: order.billingPoint)
        let plan = Allocator.plan(AllocationInput(
            customerPoint: point, lines: lines, hubs: Array(hubs.values), vendors: vendors, levels: stock))

        switch plan {
        case .unfillable(let unfilled):
            let reason = "no vendor or hub can supply "
                + unfilled.map { "\($0.quantity) × \($0.sku.isEmpty ? "(unknown product)" : $0.sku)" }.joined(separator: ", ")
            return try await refuse(order, reason: reason, unfilled: unfilled, in: tx)
        case .allocated(let placements):
            try await take(placements, orderId: order.orderId, in: tx)
            return .allocated(StockAllocated(
                orderId: order.orderId, shopifyOrderId: order.shopifyOrderId, shopDomain: order.shopDomain,
                lines: placements.map { placement in
                    let vendor = vendors[placement.vendorId]
                    return .init(
                        lineItemId: placement.line.lineItemId, sku: placement.line.sku, quantity: placement.line.quantity,
                        vendorId: placement.vendorId, vendorName: vendor?.name ?? "", vendorEmail: vendor?.email ?? "",
                        hubId: placement.hubId, flow: placement.flow.rawValue)
                }))
        }
    }

    /// Returns a cancelled order's stock, once. A cancellation that arrives before its
    /// confirmation leaves a marker so that the confirmation takes nothing.
    func release(_ order: CancelledOrder, in tx: PostgresLease) async throws -> StockReleased? {
        let marked = try await tx.query("""
            INSERT INTO allocations (order_id, shop_domain, shopify_order_id, status)
            VALUES (\(order.orderId), \(order.shopDomain), \(order.shopifyOrderId), 'cancelled')
            ON CONFLICT (order_id) DO NOTHING
            """)
        guard marked.affectedRows == 0 else { return nil }
        let released = try await tx.query("""
            UPDATE allocations SET status = 'released', released_at = now()
            WHERE order_id = \(order.orderId) AND status = 'allocated'
            """)
        guard released.affectedRows == 1 else { return nil }
        let lines = try await tx.query("""
            SELECT l.sku, l.vendor_id, l.hub_id, l.quantity, l.stock_id
            FROM allocation_lines l WHERE l.order_id = \(order.orderId) ORDER BY l.stock_id, l.line_item_id
            """)
        var totals: [Int64: Int] = [:]
        for row in lines { totals[try row.decode("stock_id"), default: 0] += try row.decode("quantity") }
        try await StockMoves.lockInOrder(totals.keys, in: tx)
        try await StockMoves.apply(totals, in: tx)
        return StockReleased(
            orderId: order.orderId, shopifyOrderId: order.shopifyOrderId, shopDomain: order.shopDomain,
            lines: try lines.map {
                .init(sku: try $0.decode("sku"), vendorId: try $0.decode("vendor_id"), hubId: try $0.decode("hub_id"),
                      quantity: try $0.decode("quantity"))
            })
    }

    private func refuse(
        _ order: ConfirmedOrder, reason: String, unfilled: [AllocationInput.Line], in tx: PostgresLease
    ) async throws -> Outcome {
        _ = try await tx.query("""
            UPDATE allocations SET status = 'failed', reason = \(reason) WHERE order_id = \(order.orderId)
            """)
        return .failed(AllocationFailed(
            orderId: order.orderId, shopifyOrderId: order.shopifyOrderId, shopDomain: order.shopDomain, reason: reason,
            unfilledLines: unfilled.map { .init(lineItemId: $0.lineItemId, sku: $0.sku, quantity: $0.quantity) }))
    }

    /// Order lines as SKUs: the line's SKU, else the product mapped to its Shopify variant.
    private func resolveLines(_ items: [ConfirmedOrder.Item], in tx: PostgresLease) async throws -> [AllocationInput.Line] {
        let unmapped = items.filter { ($0.sku ?? "").isEmpty }.compactMap(\.variantId).compactMap { Int64($0) }
        var skuByVariant: [String: String] = [:]
        if !unmapped.isEmpty {
            for row in try await tx.query("""
                SELECT shopify_variant_id, sku FROM products WHERE shopify_variant_id = ANY(\(unmapped)::bigint[])
                """) {
                skuByVariant[String(try row.decode("shopify_variant_id", as: Int64.self))] = try row.decode("sku")
            }
        }
        return items.map { item in
            let sku = (item.sku ?? "").isEmpty ? item.variantId.flatMap { skuByVariant[$0] } ?? "" : item.sku ?? ""
            return AllocationInput.Line(lineItemId: item.lineItemId, sku: sku, quantity: item.quantity)
        }
    }

    /// Takes the placed quantities from their stock rows (locked when they were read) and
    /// records the lines, in one statement.
    private func take(_ placements: [AllocationPlan.Placement], orderId: String, in tx: PostgresLease) async throws {
        struct Row: Encodable {
            var line_item_id: String, sku: String, quantity: Int, stock_id: Int64, vendor_id: String, hub_id: String?, flow: String
        }
        var totals: [Int64: Int] = [:]
        for placement in placements { totals[placement.stockId, default: 0] -= placement.line.quantity }
        let rows = placements.map {
            Row(line_item_id: $0.line.lineItemId, sku: $0.line.sku, quantity: $0.line.quantity, stock_id: $0.stockId,
                vendor_id: $0.vendorId, hub_id: $0.hubId, flow: $0.flow.rawValue)
        }
        let json = String(decoding: try JSONEncoder().encode(rows), as: UTF8.self)
        let ids = totals.keys.sorted()
        let deltas = ids.map { totals[$0]! }
        let moved = try await tx.query("""
            WITH moved AS (
                UPDATE stock s SET quantity = s.quantity + d.delta, updated_at = now()
                FROM unnest(\(ids)::bigint[], \(deltas)::integer[]) AS d(id, delta)
                WHERE s.id = d.id AND s.quantity + d.delta >= 0
                RETURNING s.id
            ), recorded AS (
                INSERT INTO allocation_lines (order_id, line_item_id, sku, quantity, stock_id, vendor_id, hub_id, flow)
                SELECT \(orderId), line_item_id, sku, quantity, stock_id, vendor_id, hub_id, flow
                FROM jsonb_to_recordset(\(json)::jsonb)
                    AS r(line_item_id text, sku text, quantity integer, stock_id bigint, vendor_id text, hub_id text, flow text)
            )
            SELECT count(*)::int AS moved FROM moved
            """).scalar("moved", as: Int.self)
        guard moved == ids.count else {
            throw PostgresError(kind: .usage, message: "stock changed under a held lock; refusing to oversell")
        }
    }
}
