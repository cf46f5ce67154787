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

    func handle(_ message: IncomingMessage) async throws {
        let trace = message.headers[Headers.traceparent]?.stringValue
        switch message.eventType {
        case InventoryAllocated.routingKey:
            let result = try InventoryAllocated.decode(message)
            try await pool.withTransaction(retries: 5) { tx in
                guard let order = try await confirmedOrder(result.orderId, in: tx) else { return }
                let event = try await split(order, result, in: tx)
                try await Outbox.enqueue(event, traceparent: trace, in: tx)
                logger.info("order split per seller", metadata: ["order.id": "\(order.id)", "seller_orders": "\(event.sellerOrders.count)"])
            }
        case InventoryAllocationFailed.routingKey:
            let result = try InventoryAllocationFailed.decode(message)
            try await pool.withTransaction(retries: 5) { tx in
                guard let order = try await confirmedOrder(result.orderId, in: tx) else { return }
                try await sellerOrders.markAllocationFailed(orderId: order.id, reason: result.reason, in: tx)
                try await Outbox.enqueue(
                    OrderAllocationFailed(
                        orderId: String(order.id), shopifyOrderId: String(order.shopifyOrderId), shopDomain: order.shopDomain,
                        name: order.name, customerEmail: order.customer.email, reason: result.reason),
                    traceparent: trace, in: tx)
                logger.notice("order could not be allocated", metadata: ["order.id": "\(order.id)", "reason": "\(result.reason)"])
            }
        default:
            throw PermanentMessageError("OrderService does not handle \(message.eventType)")
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

    private func split(
        _ order: SellerOrderRepository.LockedOrder, _ result: InventoryAllocated, in tx: PostgresLease
    ) async throws -> OrderAllocated {
        let items = order.items
        let byLine = Dictionary(items.map { ($0.lineItemId, $0) }, uniquingKeysWith: { first, _ in first })
        let vendors = Dictionary(grouping: result.lines, by: \.vendorId).sorted { $0.key < $1.key }
        guard Set(result.lines.map(\.lineItemId)) == Set(byLine.keys) else {
            throw PermanentMessageError("allocation of order \(order.id) does not cover exactly its line items")
        }
        let groups = vendors.map { _, lines in lines.map { byLine[$0.lineItemId]! } }
        let values = groups.map { $0.reduce(Decimal(0)) { $0 + $1.price * Decimal($1.quantity) } }
        let shares = CollectionSplit.shares(of: order.remainingAmount, byValue: values)
        var announced: [OrderAllocated.SellerOrder] = []
        for (index, (vendorId, lines)) in vendors.enumerated() {
            let first = lines[0]
            let sellerOrder = SellerOrderRepository.NewSellerOrder(
                splitOrderId: "\(order.id)-\(index + 1)", vendorId: vendorId, vendorName: first.vendorName,
                vendorEmail: first.vendorEmail, hubId: first.hubId, flow: first.flow, itemsAmount: values[index],
                collectAmount: shares[index], items: groups[index])
            try await sellerOrders.insert(sellerOrder, orderId: order.id, in: tx)
            announced.append(.init(
                splitOrderId: sellerOrder.splitOrderId, vendorId: vendorId, vendorName: first.vendorName,
                vendorEmail: first.vendorEmail, hubId: first.hubId, flow: first.flow,
                itemsAmount: Money.format(values[index]), collectAmount: Money.format(shares[index]),
                items: groups[index].map {
                    .init(lineItemId: $0.lineItemId, variantId: $0.variantId, sku: $0.sku, title: $0.title, quantity: $0.quantity,
                          price: Money.format($0.price))
                }))
        }
        try await sellerOrders.markAllocated(orderId: order.id, in: tx)
        return OrderAllocated(
            orderId: String(order.id), shopifyOrderId: String(order.shopifyOrderId), shopDomain: order.shopDomain,
            name: order.name, currency: order.currency, customer: order.customer,
            payment: .init(
                method: order.paymentMethod, status: order.paymentStatus, totalAmount: Money.format(order.totalAmount),
                collectedAmount: Money.format(order.collectedAmount), remainingAmount: Money.format(order.remainingAmount)),
            sellerOrders: announced)
    }
}
