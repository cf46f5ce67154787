import Common
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
    var addedLines: AddedLinesSplitter { AddedLinesSplitter(pool: pool, logger: logger) }

    /// Allocations already waiting are split together, in one transaction (the queue's
    /// prefetch bounds how many can be waiting).
    static let maxBatch = 32

    /// `inventory.allocated`, on its own.
    func split(_ message: IncomingMessage) async throws {
        try await split([try InventoryAllocated.decode(message)], traces: [trace(message)])
    }

    /// `inventory.allocation_failed`.
    func markFailed(_ message: IncomingMessage) async throws {
        let result = try InventoryAllocationFailed.decode(message)
        // Lines an edit added were refused: the order keeps what it has.
        if let revision = result.revision { return try await addedLines.refused(result, revision: revision) }
        try await pool.withTransaction(retries: 5) { tx in
            guard let order = try await confirmedOrder(result.orderId, in: tx) else { return }
            try await sellerOrders.markAllocationFailed(orderId: order.id, reason: result.reason, in: tx)
            try await Outbox.enqueue(
                OrderAllocationFailed(
                    orderId: String(order.id),
                    shopifyOrderId: String(order.shopifyOrderId),
                    shopDomain: order.shopDomain,
                    name: order.name,
                    customerEmail: order.customer.email,
                    reason: result.reason
                ),
                traceparent: trace(message),
                in: tx
            )
            logger.notice("order could not be allocated", metadata: [LogKey.orderId: "\(order.id)", LogKey.reason: "\(result.reason)"])
        }
    }

    /// A batch of `inventory.allocated` messages; one that cannot be read or cannot apply
    /// makes the consumer handle the batch's messages one by one.
    func handle(batch messages: [IncomingMessage]) async throws {
        try await split(try messages.map { try InventoryAllocated.decode($0) }, traces: messages.map(trace))
    }

    /// Splits each allocated order still waiting for its allocation and announces it; a
    /// few statements for the whole batch, whatever its size.
    private func split(_ all: [InventoryAllocated], traces allTraces: [String?]) async throws {
        // Lines an edit added: each on its own, after the order's own split.
        var results: [InventoryAllocated] = []
        var traces: [String?] = []
        var added: [(result: InventoryAllocated, revision: String, trace: String?)] = []
        for (result, trace) in zip(all, allTraces) {
            if let revision = result.revision {
                added.append((result, revision, trace))
            } else {
                results.append(result)
                traces.append(trace)
            }
        }
        if !results.isEmpty { try await splitOwn(results, traces: traces) }
        for (result, revision, trace) in added { try await addedLines.split(result, revision: revision, traceparent: trace) }
    }

    private func splitOwn(_ results: [InventoryAllocated], traces: [String?]) async throws {
        var ids: [Int64] = []
        for result in results {
            guard let id = Int64(result.orderId) else { throw PermanentMessageError("no order \(result.orderId)") }
            ids.append(id)
        }
        try await pool.withTransaction(retries: 5) { tx in
            let orders = try await sellerOrders.lockOrders(ids: ids, in: tx)
            var created: [(sellerOrder: SellerOrderDraft, orderId: Int64)] = []
            var events: [(event: OrderAllocated, traceparent: String?)] = []
            var splitIds: Set<Int64> = []
            var fulfilled: Set<Int64> = []
            for (index, result) in results.enumerated() {
                guard let order = orders[ids[index]] else { throw PermanentMessageError("no order \(result.orderId)") }
                guard order.status.awaitsAllocation, !splitIds.contains(order.id), !fulfilled.contains(order.id) else {
                    logger.info(
                        "allocation result for an order no longer waiting for one",
                        metadata: [LogKey.orderId: "\(order.id)", LogKey.status: "\(order.status)"]
                    )
                    continue
                }
                let drafts: [SellerOrderDraft]
                do throws(SellerSplit.Mismatch) {
                    drafts = try SellerSplit.split(
                        orderId: order.id,
                        items: order.items,
                        placements: result.lines.map(\.placement),
                        remainingAmount: order.remainingAmount
                    )
                } catch {
                    throw PermanentMessageError(error.description)
                }
                guard !drafts.isEmpty else {
                    // Nothing to ship of its own, but lines an edit added wait for their
                    // allocation: allocated, their seller orders to come.
                    if try await sellerOrders.awaitsAddedLines(orderId: order.id, in: tx) {
                        splitIds.insert(order.id)
                        continue
                    }
                    // Nothing to ship (tips, gift cards): fulfilled at once, no seller order.
                    fulfilled.insert(order.id)
                    logger.info("order has nothing to ship; fulfilled without a seller order", metadata: [LogKey.orderId: "\(order.id)"])
                    continue
                }
                created += drafts.map { ($0, order.id) }
                events.append((OrderAllocated(order, sellerOrders: drafts), traces[index]))
                splitIds.insert(order.id)
            }
            try await sellerOrders.insert(created, in: tx)
            try await sellerOrders.markAllocated(orderIds: Array(splitIds), in: tx)
            try await sellerOrders.markFulfilledWithoutShipping(orderIds: Array(fulfilled), in: tx)
            try await Outbox.enqueue(all: events, in: tx)
            for (event, _) in events {
                logger.info(
                    "order split per seller",
                    metadata: [LogKey.orderId: "\(event.orderId)", LogKey.sellerOrders: "\(event.sellerOrders.count)"]
                )
            }
        }
    }

    /// The order, locked, if it is waiting for its allocation; nil if it moved on.
    private func confirmedOrder(_ id: String, in tx: PostgresLease) async throws -> SellerOrderRepository.LockedOrder? {
        guard let number = Int64(id), let order = try await sellerOrders.lockOrder(id: number, in: tx) else {
            throw PermanentMessageError("no order \(id)")
        }
        guard order.status.awaitsAllocation else {
            logger.info(
                "allocation result for an order no longer waiting for one",
                metadata: [LogKey.orderId: "\(id)", LogKey.status: "\(order.status)"]
            )
            return nil
        }
        return order
    }

    private func trace(_ message: IncomingMessage) -> String? {
        message.headers[Headers.traceparent]?.stringValue
    }
}
