import Common
import Foundation
import Logging
import Messaging
import Postgres
import ServiceKit

/// Applies a changed amount to collect (`seller_order.collection_changed`) to the seller
/// order's delivery while its courier has not handed it over: a delivered shipment's amount
/// was collected already (and announced for settlement), so it stays. Changes apply in
/// version order, once; one that overtakes the delivery's creation is kept for it.
struct DeliveryCollectionConsumer: Sendable {
    let pool: PostgresPool
    let deliveries: DeliveryRepository
    let logger: Logger

    func change(_ message: IncomingMessage) async throws {
        let changed = try SellerOrderCollectionChanged.decode(message)
        guard let amount = Money.parse(changed.collectAmount), amount >= 0 else {
            throw PermanentMessageError("collectAmount is not an amount: \(changed.collectAmount)")
        }
        try await pool.withTransaction(retries: 5) { tx in
            try await deliveries.lockSellerOrders([changed.splitOrderId], in: tx)
            guard let delivery = try await deliveries.lock(splitOrderId: changed.splitOrderId, in: tx) else {
                try await deliveries.recordCollectionChange(
                    splitOrderId: changed.splitOrderId,
                    amount: amount,
                    version: changed.version,
                    in: tx
                )
                logger.info(
                    "amount to collect changed before the delivery exists; it will be created with it",
                    metadata: [LogKey.sellerOrderId: "\(changed.splitOrderId)"]
                )
                return
            }
            guard delivery.status != .delivered else {
                logger.notice(
                    "amount to collect changed after the shipment was delivered; what the courier collected stands",
                    metadata: [LogKey.sellerOrderId: "\(changed.splitOrderId)", LogKey.status: "\(delivery.status.rawValue)"]
                )
                return
            }
            guard try await deliveries.changeCollection(deliveryId: delivery.id, amount: amount, version: changed.version, in: tx) else {
                logger.info("an older change of the amount to collect; ignored", metadata: [LogKey.sellerOrderId: "\(changed.splitOrderId)"])
                return
            }
            logger.info(
                "amount to collect changed",
                metadata: [LogKey.sellerOrderId: "\(changed.splitOrderId)", LogKey.paymentCollected: "\(changed.collectAmount)"]
            )
        }
    }
}
