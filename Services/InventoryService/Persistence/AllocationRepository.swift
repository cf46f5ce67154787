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
        case allocated(InventoryAllocated)
        case failed(InventoryAllocationFailed)
        /// The order was allocated (or refused, or cancelled) before: nothing to do.
        case alreadyHandled
    }

    /// Allocates the orders of a batch one after the other, each seeing the stock the earlier
    /// ones took, in the caller's transaction: one claim, one locking read and two writes (stock, lines) for
    /// the whole batch. Returns an outcome per order, in order; a second copy of an order in
    /// the batch is `alreadyHandled`.
    func allocate(_ orders: [OrderConfirmed], in tx: PostgresLease) async throws -> [Outcome] {
        var first: [String: Int] = [:]
        for (index, order) in orders.enumerated() where first[order.orderId] == nil { first[order.orderId] = index }
        let unique = first.values.sorted().map { orders[$0] }
        // An order's row is the once-per-order guard: a concurrent copy waits on it for this
        // transaction and then finds it. Rows go in id order so concurrent batches never wait
        // on each other in a circle.
        let byId = unique.sorted { $0.orderId < $1.orderId }
        let claimed = Set(
            try await tx.query(
                """
                INSERT INTO allocations (order_id, shop_domain, shopify_order_id, status)
                SELECT id, shop, shopify_id, 'allocated'
                FROM unnest(\(byId.map(\.orderId))::text[], \(byId.map(\.shopDomain))::text[], \(byId.map(\.shopifyOrderId))::text[])
                    AS o(id, shop, shopify_id)
                ORDER BY id
                ON CONFLICT (order_id) DO NOTHING
                RETURNING order_id
                """
            ).map { try $0.decode("order_id", as: String.self) }
        )
        let work = unique.filter { claimed.contains($0.orderId) }
        var outcomes: [String: Outcome] = [:]
        if !work.isEmpty {
            outcomes = try await place(work, in: tx)
        }
        return orders.enumerated().map { index, order in
            first[order.orderId] == index ? outcomes[order.orderId] ?? .alreadyHandled : .alreadyHandled
        }
    }

    /// Plans and takes the orders' stock; `markingRefused`: a refused order's allocation row
    /// becomes `failed` (not for lines an edit added to an allocated order).
    func place(_ orders: [OrderConfirmed], markingRefused: Bool = true, in tx: PostgresLease) async throws -> [String: Outcome] {
        let lines = try await resolveLines(orders, in: tx)
        let stock = try await StockSnapshot.lock(skus: Set(lines.values.joined().map(\.sku)), in: tx)
        var quantities = Dictionary(stock.levels.map { ($0.stockId, $0.quantity) }, uniquingKeysWith: { first, _ in first })
        var outcomes: [String: Outcome] = [:]
        var taken: [(orderId: String, placement: AllocationPlan.Placement)] = []
        var refused: [(orderId: String, reason: String)] = []
        for order in orders {
            let orderLines = lines[order.orderId] ?? []
            let skus = Set(orderLines.map(\.sku))
            let levels = stock.levels.filter { skus.contains($0.sku) }.map { level in
                var level = level
                level.quantity = quantities[level.stockId] ?? 0
                return level
            }
            // An order with nothing to ship (its lines are tips or gift cards) takes no stock.
            let plan: AllocationPlan =
                orderLines.isEmpty
                ? .allocated([])
                : Allocator.plan(
                    AllocationInput(
                        customerPoint: AllocationInput.customerPoint(shipping: order.shippingPoint, billing: order.billingPoint),
                        lines: orderLines,
                        hubs: stock.hubs,
                        vendors: stock.vendors,
                        levels: levels
                    )
                )
            switch plan {
            case .unfillable(let unfilled):
                let reason =
                    "no vendor or hub can supply "
                    + unfilled.map { "\($0.quantity) × \($0.sku.isEmpty ? "(unknown product)" : $0.sku)" }.joined(separator: ", ")
                refused.append((order.orderId, reason))
                outcomes[order.orderId] = .failed(
                    InventoryAllocationFailed(
                        orderId: order.orderId,
                        shopifyOrderId: order.shopifyOrderId,
                        shopDomain: order.shopDomain,
                        reason: reason,
                        unfilledLines: unfilled.map { .init(lineItemId: $0.lineItemId, sku: $0.sku, quantity: $0.quantity) }
                    )
                )
            case .allocated(let placements):
                for placement in placements {
                    quantities[placement.stockId, default: 0] -= placement.line.quantity
                    taken.append((order.orderId, placement))
                }
                outcomes[order.orderId] = .allocated(
                    InventoryAllocated(
                        orderId: order.orderId,
                        shopifyOrderId: order.shopifyOrderId,
                        shopDomain: order.shopDomain,
                        lines: placements.map { placement in
                            let vendor = stock.vendors[placement.vendorId]
                            return .init(
                                lineItemId: placement.line.lineItemId,
                                sku: placement.line.sku,
                                quantity: placement.line.quantity,
                                vendorId: placement.vendorId,
                                vendorName: vendor?.name ?? "",
                                vendorEmail: vendor?.email ?? "",
                                hubId: placement.hubId,
                                flow: placement.flow.rawValue
                            )
                        }
                    )
                )
            }
        }
        try await take(taken, in: tx)
        if markingRefused, !refused.isEmpty {
            _ = try await tx.query(
                """
                UPDATE allocations a SET status = 'failed', reason = r.reason
                FROM unnest(\(refused.map(\.orderId))::text[], \(refused.map(\.reason))::text[]) AS r(id, reason)
                WHERE a.order_id = r.id
                """
            )
        }
        return outcomes
    }

    /// Returns a cancelled order's stock, once: every line but those already delivered (whose
    /// units are with the customer), less what refunds restocked before and what parcels
    /// delivered after a cancellation kept. A cancellation that arrives before its confirmation
    /// leaves a marker so that the confirmation takes nothing. Returns the units put back, or
    /// nil when the order had no allocated stock to return.
    func release(_ order: OrderCancelled, in tx: PostgresLease) async throws -> Int? {
        let marked = try await tx.query(
            """
            INSERT INTO allocations (order_id, shop_domain, shopify_order_id, status)
            VALUES (\(order.orderId), \(order.shopDomain), \(order.shopifyOrderId), 'cancelled')
            ON CONFLICT (order_id) DO NOTHING
            """
        )
        guard marked.affectedRows == 0 else { return nil }
        let released = try await tx.query(
            """
            UPDATE allocations SET status = 'released', released_at = now()
            WHERE order_id = \(order.orderId) AND status = 'allocated'
            """
        )
        guard released.affectedRows == 1 else { return nil }
        let lines = try await tx.query(
            // `before` is the lines as the statement found them (its snapshot), so the
            // returned quantity is what this release gives back.
            """
            UPDATE allocation_lines l SET returned_quantity = l.quantity - l.kept_quantity
            FROM allocation_lines before
            WHERE l.order_id = \(order.orderId) AND l.line_item_id <> ALL(\(order.keptLineItemIds ?? [])::text[])
              AND l.returned_quantity + l.kept_quantity < l.quantity
              AND before.order_id = l.order_id AND before.line_item_id = l.line_item_id
            RETURNING l.quantity - l.kept_quantity - before.returned_quantity AS quantity,
                      l.stock_id, l.line_item_id
            """
        ).map(ReturnedLine.init).sorted { ($0.stockId, $0.lineItemId) < ($1.stockId, $1.lineItemId) }
        return try await ReturnedLine.putBack(lines, in: tx)
    }

    /// Each order's lines as SKUs: the line's SKU, else the product mapped to its Shopify variant.
    private func resolveLines(_ orders: [OrderConfirmed], in tx: PostgresLease) async throws -> [String: [AllocationInput.Line]] {
        let unmapped = orders.flatMap(\.items).filter { ($0.sku ?? "").isEmpty }.compactMap(\.variantId).compactMap { Int64($0) }
        var skuByVariant: [String: String] = [:]
        if !unmapped.isEmpty {
            for row in try await tx.query(
                """
                SELECT shopify_variant_id, sku FROM products WHERE shopify_variant_id = ANY(\(unmapped)::bigint[])
                """
            ) {
                skuByVariant[String(try row.decode("shopify_variant_id", as: Int64.self))] = try row.decode("sku")
            }
        }
        var lines: [String: [AllocationInput.Line]] = [:]
        for order in orders {
            lines[order.orderId] = order.items.map { item in
                let sku = (item.sku ?? "").isEmpty ? item.variantId.flatMap { skuByVariant[$0] } ?? "" : item.sku ?? ""
                return AllocationInput.Line(lineItemId: item.lineItemId, sku: sku, quantity: item.quantity)
            }
        }
        return lines
    }

    /// Takes the placed quantities from their stock rows (locked when they were read) and
    /// records the lines: a statement each for the whole batch.
    private func take(_ taken: [(orderId: String, placement: AllocationPlan.Placement)], in tx: PostgresLease) async throws {
        guard !taken.isEmpty else { return }
        struct Row: Encodable {
            var order_id: String, line_item_id: String, sku: String, quantity: Int, stock_id: Int64, vendor_id: String
            var hub_id: String?, flow: String
        }
        var totals: [Int64: Int] = [:]
        for (_, placement) in taken { totals[placement.stockId, default: 0] -= placement.line.quantity }
        let rows = taken.map { orderId, placement in
            Row(
                order_id: orderId,
                line_item_id: placement.line.lineItemId,
                sku: placement.line.sku,
                quantity: placement.line.quantity,
                stock_id: placement.stockId,
                vendor_id: placement.vendorId,
                hub_id: placement.hubId,
                flow: placement.flow.rawValue
            )
        }
        let json = String(decoding: try JSONEncoder().encode(rows), as: UTF8.self)
        // Throws, rolling the batch back, if a row would go below zero under the held lock.
        try await StockMoves.apply(totals, in: tx)
        _ = try await tx.query(
            """
            INSERT INTO allocation_lines (order_id, line_item_id, sku, quantity, stock_id, vendor_id, hub_id, flow)
            SELECT order_id, line_item_id, sku, quantity, stock_id, vendor_id, hub_id, flow
            FROM jsonb_to_recordset(\(json)::jsonb) AS r(
                order_id text, line_item_id text, sku text, quantity integer, stock_id bigint, vendor_id text,
                hub_id text, flow text)
            """
        )
    }
}
