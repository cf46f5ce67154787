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

    func handle(_ message: IncomingMessage) async throws {
        let trace = message.headers[Headers.traceparent]?.stringValue
        switch message.eventType {
        case ConfirmedOrder.routingKey:
            let order = try ConfirmedOrder.decode(message)
            try await pool.withTransaction(retries: 5) { tx in
                switch try await repository.allocate(order, in: tx) {
                case .allocated(let event):
                    try await Outbox.enqueue(event, traceparent: trace, in: tx)
                    logger.info("order allocated", metadata: ["order.id": "\(order.orderId)", "lines": "\(event.lines.count)"])
                case .failed(let event):
                    try await Outbox.enqueue(event, traceparent: trace, in: tx)
                    logger.notice("order not allocated", metadata: ["order.id": "\(order.orderId)", "reason": "\(event.reason)"])
                case .alreadyHandled:
                    logger.info("order already allocated or cancelled", metadata: ["order.id": "\(order.orderId)"])
                }
            }
        case CancelledOrder.routingKey:
            let order = try CancelledOrder.decode(message)
            try await pool.withTransaction(retries: 5) { tx in
                if let event = try await repository.release(order, in: tx) {
                    try await Outbox.enqueue(event, traceparent: trace, in: tx)
                    logger.info("stock released", metadata: ["order.id": "\(order.orderId)"])
                }
            }
        default:
            throw PermanentMessageError("InventoryService does not handle \(message.eventType)")
        }
    }
}
