import Common
import Logging
import Messaging
import Postgres
import ServiceKit

/// Handles `order.confirmed` and `order.lines_added` (allocate), `order.cancelled`
/// (release), `order.refunded` and `order.edited` (restock), and
/// `seller_order.delivered_after_cancel` (keep) from the service's queue. Each
/// message's effect and its outbox event, if it has one, commit together. A redelivered message changes
/// nothing because the effects are idempotent: one allocation row per order (its primary
/// key), released only from `allocated`, one addition row per edit revision, and one restock
/// row per refund or edit revision, and kept rows per seller order delivered after its cancellation. (So no inbox row is needed, which spares a write per
/// message.)
struct AllocationConsumer: Sendable {
    let pool: PostgresPool
    let repository = AllocationRepository()
    let restocks = RestockRepository()
    let keptUnits = KeptUnitsRepository()
    let logger: Logger

    /// Confirmations already waiting are allocated together, in one transaction (at most the
    /// queue's prefetch, 32, can be waiting).
    static let maxBatch = 32

    /// `order.confirmed`, on its own.
    func allocate(_ message: IncomingMessage) async throws {
        try await allocate([try OrderConfirmed.decode(message)], traces: [trace(message)])
    }

    /// `order.cancelled`.
    func release(_ message: IncomingMessage) async throws {
        let order = try OrderCancelled.decode(message)
        try await pool.withTransaction(retries: 5) { tx in
            if let units = try await repository.release(order, in: tx) {
                logger.info("stock released", metadata: [LogKey.orderId: "\(order.orderId)", LogKey.units: "\(units)"])
            }
        }
    }

    /// `order.refunded`: the units the refund restocks go back, once.
    func restock(_ message: IncomingMessage) async throws {
        let refund = try OrderRefunded.decode(message)
        try await pool.withTransaction(retries: 5) { tx in
            if let units = try await restocks.restock(refund, in: tx) {
                logger.info("refunded units restocked", metadata: [LogKey.orderId: "\(refund.orderId)", LogKey.units: "\(units)"])
            }
        }
    }

    /// `order.edited`: the units an edit removed go back, once.
    func restockEdit(_ message: IncomingMessage) async throws {
        let edit = try OrderEdited.decode(message)
        try await pool.withTransaction(retries: 5) { tx in
            if let units = try await restocks.restock(edit, in: tx) {
                logger.info("units an edit removed restocked", metadata: [LogKey.orderId: "\(edit.orderId)", LogKey.units: "\(units)"])
            }
        }
    }

    /// `seller_order.delivered_after_cancel`: units a cancelled seller order's parcel shipped
    /// after all stay with the customer; those returned come off the shelf again, once.
    func keepDelivered(_ message: IncomingMessage) async throws {
        let delivered = try SellerOrderDeliveredAfterCancel.decode(message)
        try await pool.withTransaction(retries: 5) { tx in
            guard let outcome = try await keptUnits.keep(delivered, in: tx) else { return }
            let metadata: Logger.Metadata = [
                LogKey.orderId: "\(delivered.orderId)", LogKey.sellerOrderId: "\(delivered.splitOrderId)",
                LogKey.taken: "\(outcome.taken)", LogKey.shortfall: "\(outcome.shortfall)",
            ]
            if outcome.shortfall > 0 {
                logger.warning("units delivered after a cancellation were sold again meanwhile; the stock count needs checking", metadata: metadata)
            } else {
                logger.info("units delivered after a cancellation taken back off the shelf", metadata: metadata)
            }
        }
    }

    /// `order.lines_added`: the lines an edit added are allocated, once.
    func allocateAdditions(_ message: IncomingMessage) async throws {
        let added = try OrderLinesAdded.decode(message)
        try await pool.withTransaction(retries: 5) { tx in
            switch try await repository.allocateAdditions(added, in: tx) {
            case .allocated(let event):
                try await Outbox.enqueue(event, traceparent: trace(message), in: tx)
                logger.info("lines added by an edit allocated", metadata: [LogKey.orderId: "\(added.orderId)"])
            case .failed(let event):
                try await Outbox.enqueue(event, traceparent: trace(message), in: tx)
                logger.notice(
                    "lines added by an edit not allocated",
                    metadata: [LogKey.orderId: "\(added.orderId)", LogKey.reason: "\(event.reason)"]
                )
            case .alreadyHandled:
                logger.info("lines added by this edit were handled before", metadata: [LogKey.orderId: "\(added.orderId)"])
            }
        }
    }

    /// A batch of `order.confirmed` messages; one that cannot be read makes the consumer
    /// handle the batch's messages one by one.
    func handle(batch messages: [IncomingMessage]) async throws {
        try await allocate(try messages.map { try OrderConfirmed.decode($0) }, traces: messages.map(trace))
    }

    private func allocate(_ orders: [OrderConfirmed], traces: [String?]) async throws {
        try await pool.withTransaction(retries: 5) { tx in
            var allocated: [(event: InventoryAllocated, traceparent: String?)] = []
            var failed: [(event: InventoryAllocationFailed, traceparent: String?)] = []
            for (index, outcome) in try await repository.allocate(orders, in: tx).enumerated() {
                switch outcome {
                case .allocated(let event): allocated.append((event, traces[index]))
                case .failed(let event): failed.append((event, traces[index]))
                case .alreadyHandled:
                    logger.info("order already allocated or cancelled", metadata: [LogKey.orderId: "\(orders[index].orderId)"])
                }
            }
            try await Outbox.enqueue(all: allocated, in: tx)
            try await Outbox.enqueue(all: failed, in: tx)
            for (event, _) in failed {
                logger.notice("order not allocated", metadata: [LogKey.orderId: "\(event.orderId)", LogKey.reason: "\(event.reason)"])
            }
        }
    }

    private func trace(_ message: IncomingMessage) -> String? {
        message.headers[Headers.traceparent]?.stringValue
    }
}
