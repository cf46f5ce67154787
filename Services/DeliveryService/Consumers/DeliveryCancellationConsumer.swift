import Common
import Logging
import Messaging
import Postgres
import ServiceKit

/// Cancels the shipment of a cancelled seller order (`seller_order.cancelled`) if the courier
/// does not have it yet. A shipment already picked up (or ended) stays as it is: its courier
/// events decide how it ends (delivered, or returned to origin), and a repeated cancellation
/// changes nothing.
struct DeliveryCancellationConsumer: Sendable {
    let pool: PostgresPool
    let deliveries: DeliveryRepository
    let logger: Logger

    func cancel(_ message: IncomingMessage) async throws {
        let cancelled = try SellerOrderCancelled.decode(message)
        try await pool.withTransaction(retries: 5) { tx in
            try await deliveries.lockSellerOrders([cancelled.splitOrderId], in: tx)
            guard let delivery = try await deliveries.lock(splitOrderId: cancelled.splitOrderId, in: tx) else {
                // Its order.allocated has not been handled yet: the delivery will be created cancelled.
                try await deliveries.recordCancellation(splitOrderId: cancelled.splitOrderId, in: tx)
                logger.info(
                    "seller order cancelled before its delivery exists; it will be created cancelled",
                    metadata: [LogKey.sellerOrderId: "\(cancelled.splitOrderId)"]
                )
                return
            }
            guard delivery.status.isCancellableBeforePickup else {
                if delivery.status != .delivered { try await deliveries.markCancelledByOrder(deliveryId: delivery.id, in: tx) }
                logger.notice(
                    "seller order cancelled after its shipment was picked up; the courier's events decide how it ends",
                    metadata: [LogKey.sellerOrderId: "\(cancelled.splitOrderId)", LogKey.status: "\(delivery.status.rawValue)"]
                )
                return
            }
            try await deliveries.cancelForOrder(deliveryId: delivery.id, in: tx)
            logger.info("shipment cancelled with its seller order", metadata: [LogKey.sellerOrderId: "\(cancelled.splitOrderId)"])
        }
    }
}
