import Logging
import Messaging
import Postgres
import ServiceKit

/// Handles `order.confirmed` (allocate) and `order.cancelled` (release) from the service's
/// queue. Each message's effect and its outbox event commit together. A redelivered message
/// changes nothing because the effects are idempotent by order: one allocation row per order
/// (its primary key), released only from `allocated`. (So no inbox row is needed, which
/// spares a write per message.)
struct OrderEventConsumer: Sendable {
    let pool: PostgresPool
    let repository = AllocationRepository()
    let logger: Logger

    static let bindings = [ConfirmedOrder.routingKey, CancelledOrder.routingKey]
    /// Confirmations already waiting are allocated together, in one transaction (at most the
    /// queue's prefetch, 32, can be waiting).
    static let maxBatch = 32

    func handle(_ message: IncomingMessage) async throws {
        switch message.eventType {
        case ConfirmedOrder.routingKey:
            try await allocate([try ConfirmedOrder.decode(message)], traces: [trace(message)])
        case CancelledOrder.routingKey:
            let order = try CancelledOrder.decode(message)
            try await pool.withTransaction(retries: 5) { tx in
                if let event = try await repository.release(order, in: tx) {
                    try await Outbox.enqueue(event, traceparent: trace(message), in: tx)
                    logger.info("stock released", metadata: ["order.id": "\(order.orderId)"])
                }
            }
        default:
            throw PermanentMessageError("InventoryService does not handle \(message.eventType)")
        }
    }

    /// A batch of `order.confirmed` messages; one that cannot be read makes the consumer
    /// handle the batch's messages one by one.
    func handle(batch messages: [IncomingMessage]) async throws {
        try await allocate(try messages.map { try ConfirmedOrder.decode($0) }, traces: messages.map(trace))
    }

    private func allocate(_ orders: [ConfirmedOrder], traces: [String?]) async throws {
        try await pool.withTransaction(retries: 5) { tx in
            var allocated: [(event: StockAllocated, traceparent: String?)] = []
            var failed: [(event: AllocationFailed, traceparent: String?)] = []
            for (index, outcome) in try await repository.allocate(orders, in: tx).enumerated() {
                switch outcome {
                case .allocated(let event): allocated.append((event, traces[index]))
                case .failed(let event): failed.append((event, traces[index]))
                case .alreadyHandled:
                    logger.info("order already allocated or cancelled", metadata: ["order.id": "\(orders[index].orderId)"])
                }
            }
            try await Outbox.enqueue(all: allocated, in: tx)
            try await Outbox.enqueue(all: failed, in: tx)
            for (event, _) in failed {
                logger.notice("order not allocated", metadata: ["order.id": "\(event.orderId)", "reason": "\(event.reason)"])
            }
        }
    }

    private func trace(_ message: IncomingMessage) -> String? {
        message.headers[Headers.traceparent]?.stringValue
    }
}
