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
    /// Allocated orders already waiting get their deliveries together, in one transaction.
    static let maxBatch = 32

    func handle(_ message: IncomingMessage) async throws {
        guard message.eventType == AllocatedOrder.routingKey else {
            throw PermanentMessageError("DeliveryService does not handle \(message.eventType)")
        }
        let order = try AllocatedOrder.decode(message)
        let created = try await pool.withTransaction(retries: 5) { tx in try await deliveries.create([order], in: tx) }
        logger.info("deliveries created", metadata: ["order.id": "\(order.orderId)", "created": "\(created)"])
    }

    /// Several waiting `order.allocated` messages; one that cannot be read makes the consumer
    /// handle the batch's messages one by one.
    func handle(batch messages: [IncomingMessage]) async throws {
        let orders = try messages.map { try AllocatedOrder.decode($0) }
        let created = try await pool.withTransaction(retries: 5) { tx in try await deliveries.create(orders, in: tx) }
        logger.info("deliveries created", metadata: ["orders": "\(orders.count)", "created": "\(created)"])
    }
}
