import Foundation
import Logging
import Messaging
import Postgres
import ServiceKit

/// Consumes InventoryService's allocation results: an allocated order is split into one
/// seller order per vendor and announced as `order.allocated`; a refused one is marked
/// `allocation_failed` and announced. A result applies only to an order still `confirmed`,
/// which makes it apply once (a redelivery finds the order moved on) and leaves a cancelled
/// order cancelled.
struct AllocationResultConsumer: Sendable {
    let pool: PostgresPool
    let logger: Logger
    let sellerOrders = SellerOrderRepository()

    static let bindings = [InventoryAllocated.routingKey, InventoryAllocationFailed.routingKey]
    /// Allocations already waiting are split together, in one transaction (the queue's
    /// prefetch bounds how many can be waiting).
    static let maxBatch = 32

    func handle(_ message: IncomingMessage) async throws {
        switch message.eventType {
        case InventoryAllocated.routingKey:
            try await split([try InventoryAllocated.decode(message)], traces: [trace(message)])
        case InventoryAllocationFailed.routingKey:
            let result = try InventoryAllocationFailed.decode(message)
            try await pool.withTransaction(retries: 5) { tx in
                guard let order = try await confirmedOrder(result.orderId, in: tx) else { return }
                try await sellerOrders.markAllocationFailed(orderId: order.id, reason: result.reason, in: tx)
                try await Outbox.enqueue(
                    OrderAllocationFailed(
                        orderId: String(order.id), shopifyOrderId: String(order.shopifyOrderId), shopDomain: order.shopDomain,
                        name: order.name, customerEmail: order.customer.email, reason: result.reason),
                    traceparent: trace(message), in: tx)
                logger.notice("order could not be allocated", metadata: ["order.id": "\(order.id)", "reason": "\(result.reason)"])
            }
        default:
            throw PermanentMessageError("OrderService does not handle \(message.eventType)")
        }
    }

    /// A batch of `inventory.allocated` messages; one that cannot be read or cannot apply
    /// makes the consumer handle the batch's messages one by one.
    func handle(batch messages: [IncomingMessage]) async throws {
        try await split(try messages.map { try InventoryAllocated.decode($0) }, traces: messages.map(trace))
    }

    /// Splits each allocated order still waiting for its allocation and announces it; a
    /// few statements for the whole batch, whatever its size.
    private func split(_ results: [InventoryAllocated], traces: [String?]) async throws {
        var ids: [Int64] = []
        for result in results {
            guard let id = Int64(result.orderId) else { throw PermanentMessageError("no order \(result.orderId)") }
            ids.append(id)
        }
        try await pool.withTransaction(retries: 5) { tx in
            let orders = try await sellerOrders.lockOrders(ids: ids, in: tx)
            var created: [(sellerOrder: SellerOrderRepository.NewSellerOrder, orderId: Int64)] = []
            var events: [(event: OrderAllocated, traceparent: String?)] = []
            var splitIds: Set<Int64> = []
            for (index, result) in results.enumerated() {
                guard let order = orders[ids[index]] else { throw PermanentMessageError("no order \(result.orderId)") }
                guard order.status == "confirmed", !splitIds.contains(order.id) else {
                    logger.info("allocation result for an order no longer waiting for one", metadata: ["order.id": "\(order.id)", "status": "\(order.status)"])
                    continue
                }
                let plan = try self.plan(order, result)
                created += plan.sellerOrders.map { ($0, order.id) }
                events.append((plan.event, traces[index]))
                splitIds.insert(order.id)
            }
            try await sellerOrders.insert(created, in: tx)
            try await sellerOrders.markAllocated(orderIds: Array(splitIds), in: tx)
            try await Outbox.enqueue(all: events, in: tx)
            for (event, _) in events {
                logger.info("order split per seller", metadata: ["order.id": "\(event.orderId)", "seller_orders": "\(event.sellerOrders.count)"])
            }
        }
    }

    /// The order, locked, if it is waiting for its allocation; nil if it moved on.
    private func confirmedOrder(_ id: String, in tx: PostgresLease) async throws -> SellerOrderRepository.LockedOrder? {
        guard let number = Int64(id), let order = try await sellerOrders.lockOrder(id: number, in: tx) else {
            throw PermanentMessageError("no order \(id)")
        }
        guard order.status == "confirmed" else {
            logger.info("allocation result for an order no longer waiting for one", metadata: ["order.id": "\(id)", "status": "\(order.status)"])
            return nil
        }
        return order
    }

    /// The order's seller orders, one per vendor, and the event that announces them.
    private func plan(
        _ order: SellerOrderRepository.LockedOrder, _ result: InventoryAllocated
    ) throws -> (sellerOrders: [SellerOrderRepository.NewSellerOrder], event: OrderAllocated) {
        let items = order.items
        let byLine = Dictionary(items.map { ($0.lineItemId, $0) }, uniquingKeysWith: { first, _ in first })
        let vendors = Dictionary(grouping: result.lines, by: \.vendorId).sorted { $0.key < $1.key }
        guard Set(result.lines.map(\.lineItemId)) == Set(byLine.keys) else {
            throw PermanentMessageError("allocation of order \(order.id) does not cover exactly its line items")
        }
        let groups = vendors.map { _, lines in lines.map { byLine[$0.lineItemId]! } }
        let values = groups.map { $0.reduce(Decimal(0)) { $0 + $1.price * Decimal($1.quantity) } }
        let shares = CollectionSplit.shares(of: order.remainingAmount, byValue: values)
        var created: [SellerOrderRepository.NewSellerOrder] = []
        var announced: [OrderAllocated.SellerOrder] = []
        for (index, (vendorId, lines)) in vendors.enumerated() {
            let first = lines[0]
            let sellerOrder = SellerOrderRepository.NewSellerOrder(
                splitOrderId: "\(order.id)-\(index + 1)", vendorId: vendorId, vendorName: first.vendorName,
                vendorEmail: first.vendorEmail, hubId: first.hubId, flow: first.flow, itemsAmount: values[index],
                collectAmount: shares[index], items: groups[index])
            created.append(sellerOrder)
            announced.append(.init(
                splitOrderId: sellerOrder.splitOrderId, vendorId: vendorId, vendorName: first.vendorName,
                vendorEmail: first.vendorEmail, hubId: first.hubId, flow: first.flow,
                itemsAmount: Money.format(values[index]), collectAmount: Money.format(shares[index]),
                items: groups[index].map {
                    .init(lineItemId: $0.lineItemId, variantId: $0.variantId, sku: $0.sku, title: $0.title, quantity: $0.quantity,
                          price: Money.format($0.price))
                }))
        }
        let event = OrderAllocated(
            orderId: String(order.id), shopifyOrderId: String(order.shopifyOrderId), shopDomain: order.shopDomain,
            name: order.name, currency: order.currency, customer: order.customer,
            payment: .init(
                method: order.paymentMethod, status: order.paymentStatus, totalAmount: Money.format(order.totalAmount),
                collectedAmount: Money.format(order.collectedAmount), remainingAmount: Money.format(order.remainingAmount)),
            sellerOrders: announced)
        return (created, event)
    }

    private func trace(_ message: IncomingMessage) -> String? {
        message.headers[Headers.traceparent]?.stringValue
    }
}
