import Common
import Logging
import Messaging
import Postgres
import ServiceKit

/// Creates a delivery per seller order from `order.allocated` (idempotent by split order id).
struct DeliveryCreationConsumer: Sendable {
    let pool: PostgresPool
    let deliveries: DeliveryRepository
    let logger: Logger

    /// Allocated orders already waiting get their deliveries together, in one transaction.
    static let maxBatch = 32

    func create(_ message: IncomingMessage) async throws {
        let order = try OrderAllocated.decode(message)
        let created = try await pool.withTransaction(retries: 5) { tx in try await deliveries.create([order], in: tx) }
        logger.info("deliveries created", metadata: [LogKey.orderId: "\(order.orderId)", LogKey.created: "\(created)"])
    }

    /// Several waiting `order.allocated` messages; one that cannot be read makes the consumer
    /// handle the batch's messages one by one.
    func handle(batch messages: [IncomingMessage]) async throws {
        let orders = try messages.map { try OrderAllocated.decode($0) }
        let created = try await pool.withTransaction(retries: 5) { tx in try await deliveries.create(orders, in: tx) }
        logger.info("deliveries created", metadata: [LogKey.orders: "\(orders.count)", LogKey.created: "\(created)"])
    }
}
