import Logging
import Messaging
import Postgres
import ServiceKit

/// Creates a delivery per seller order from `order.allocated` (idempotent by split order id).
struct AllocatedOrderConsumer: Sendable {
    let pool: PostgresPool
    let deliveries: DeliveryRepository
    let logger: Logger

    static let bindings = [AllocatedOrder.routingKey]

    func handle(_ message: IncomingMessage) async throws {
        guard message.eventType == AllocatedOrder.routingKey else {
            throw PermanentMessageError("DeliveryService does not handle \(message.eventType)")
        }
        let order = try AllocatedOrder.decode(message)
        let created = try await pool.withTransaction(retries: 5) { tx in try await deliveries.create(order, in: tx) }
        logger.info("deliveries created", metadata: ["order.id": "\(order.orderId)", "created": "\(created)"])
    }
}
