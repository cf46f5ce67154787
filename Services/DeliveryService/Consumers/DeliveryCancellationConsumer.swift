import Common
import Logging
import Messaging
import Postgres
import ServiceKit

/// Cancels the shipment of a cancelled seller order (`seller_order.cancelled`), by the same
/// forward-only rule as Shiprocket's statuses: a delivered (or otherwise ended) shipment
/// stays as it is, and a repeated cancellation changes nothing.
struct DeliveryCancellationConsumer: Sendable {
    let pool: PostgresPool
    let deliveries: DeliveryRepository
    let logger: Logger

    /// The seller order's `order.allocated` has not made its delivery yet: retried through
    /// the retry queue until it has.
    struct DeliveryNotCreatedYet: Error, CustomStringConvertible {
        let splitOrderId: String
        var description: String { "no delivery for seller order \(splitOrderId) yet (its order.allocated has not been handled)" }
    }

    func cancel(_ message: IncomingMessage) async throws {
        let cancelled = try SellerOrderCancelled.decode(message)
        try await pool.withTransaction(retries: 5) { tx in
            guard let delivery = try await deliveries.lock(awb: nil, channelOrderId: cancelled.splitOrderId, in: tx) else {
                throw DeliveryNotCreatedYet(splitOrderId: cancelled.splitOrderId)
            }
            guard StatusTransition.decide(current: delivery.status, at: nil, next: .cancelled, at: nil) == .apply else {
                logger.info(
                    "seller order cancelled after its shipment ended; kept as it is",
                    metadata: [LogKey.sellerOrderId: "\(cancelled.splitOrderId)", LogKey.status: "\(delivery.status.rawValue)"]
                )
                return
            }
            try await deliveries.setStatus(.cancelled, at: nil, deliveryId: delivery.id, in: tx)
            logger.info("shipment cancelled with its seller order", metadata: [LogKey.sellerOrderId: "\(cancelled.splitOrderId)"])
        }
    }
}
