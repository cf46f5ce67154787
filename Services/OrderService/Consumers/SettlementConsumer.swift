import Common
import Foundation
import Logging
import Messaging
import Postgres
import ServiceKit

/// Settles payment as seller orders are delivered (`delivery.delivered`): the collected
/// amount rises by what the courier collected for that shipment, and once every seller order
/// is delivered the order is `delivered` and its payment `paid` with nothing remaining. A
/// seller order is settled only from `assigned`, so a repeated or replayed delivery settles
/// nothing twice.
struct SettlementConsumer: Sendable {
    let pool: PostgresPool
    let logger: Logger
    let settlements = SettlementRepository()

    func settle(_ message: IncomingMessage) async throws {
        let delivered = try DeliveryDelivered.decode(message)
        guard let amount = Money.parse(delivered.collectedAmount), amount >= 0 else {
            throw PermanentMessageError("collectedAmount is not an amount: \(delivered.collectedAmount)")
        }
        try await pool.withTransaction(retries: 5) { tx in
            guard let orderId = try await settlements.lockOrder(splitOrderId: delivered.splitOrderId, in: tx) else {
                throw PermanentMessageError("no seller order \(delivered.splitOrderId)")
            }
            guard try await settlements.markDelivered(splitOrderId: delivered.splitOrderId, in: tx) else {
                logger.info("seller order already settled or cancelled", metadata: [LogKey.sellerOrderId: "\(delivered.splitOrderId)"])
                return
            }
            let lastShipment = try await settlements.assignedCount(orderId: orderId, in: tx) == 0
            let payment = try await settlements.payment(orderId: orderId, in: tx)
                .collecting(amount, lastShipment: lastShipment)
            try await settlements.save(payment, orderId: orderId, in: tx)
            logger.info(
                "seller order delivered and settled",
                metadata: [
                    LogKey.sellerOrderId: "\(delivered.splitOrderId)", LogKey.paymentCollected: "\(payment.collectedAmount)",
                ]
            )
            guard lastShipment else { return }
            try await Outbox.enqueue(try await settlements.markOrderDelivered(orderId: orderId, in: tx), in: tx)
            logger.info("order delivered and paid", metadata: [LogKey.orderId: "\(orderId)"])
        }
    }
}
