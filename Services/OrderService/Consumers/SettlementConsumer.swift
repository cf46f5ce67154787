import Common
import Foundation
import Logging
import Messaging
import Postgres
import ServiceKit

/// Settles payment as seller orders are delivered (`delivery.delivered`): the collected
/// amount rises by what the courier collected for that shipment, and once every seller order
/// is delivered the order is `delivered` and its payment `paid` with nothing remaining. A
/// seller order is settled only from `assigned` (or from `cancelled`, when its courier had
/// the parcel already and delivered it: the cash counts, the order keeps its status, and
/// `seller_order.delivered_after_cancel` takes the shipped units back off the shelf), so a
/// repeated or replayed delivery settles nothing twice. After each shipment the ones still on their way share what is still owed,
/// so a courier that collected more or less than its share (the payment changed while it
/// was on its way) is made up for by the others.
struct SettlementConsumer: Sendable {
    let pool: PostgresPool
    let logger: Logger
    let settlements = SettlementRepository()
    let sellerOrders = SellerOrderRepository()

    func settle(_ message: IncomingMessage) async throws {
        let delivered = try DeliveryDelivered.decode(message)
        guard let amount = Money.parse(delivered.collectedAmount), amount >= 0 else {
            throw PermanentMessageError("collectedAmount is not an amount: \(delivered.collectedAmount)")
        }
        try await pool.withTransaction(retries: 5) { tx in
            guard let orderId = try await settlements.lockOrder(splitOrderId: delivered.splitOrderId, in: tx) else {
                throw PermanentMessageError("no seller order \(delivered.splitOrderId)")
            }
            guard let before = try await settlements.markDelivered(splitOrderId: delivered.splitOrderId, in: tx) else {
                logger.info("seller order already settled", metadata: [LogKey.sellerOrderId: "\(delivered.splitOrderId)"])
                return
            }
            let trace = message.headers[Headers.traceparent]?.stringValue
            // Cancelled (with its order, or emptied by an edit) after its courier picked the
            // parcel up, and delivered anyway: the cash counts and the shipped units come off
            // the shelf again, but the order's own status is not this shipment's to decide.
            if before == .cancelled {
                let payment = try await settlements.payment(orderId: orderId, in: tx).collecting(amount, lastShipment: false)
                try await settlements.save(payment, orderId: orderId, in: tx)
                var events = [
                    try Outbox.Message(
                        try await settlements.deliveredAfterCancel(splitOrderId: delivered.splitOrderId, orderId: orderId, in: tx),
                        traceparent: trace
                    )
                ]
                if try await settlements.orderStatus(id: orderId, in: tx)?.takesUpdates == true {
                    events += try await sellerOrders.recollect(orderId: orderId, remaining: payment.remainingAmount, in: tx).map {
                        try Outbox.Message($0, traceparent: trace)
                    }
                }
                try await Outbox.enqueue(events, in: tx)
                logger.notice(
                    "a cancelled seller order was delivered anyway; its cash counts and its units are taken back",
                    metadata: [LogKey.sellerOrderId: "\(delivered.splitOrderId)", LogKey.paymentCollected: "\(amount)"]
                )
                return
            }
            // Lines an edit added that wait for their allocation keep the order open.
            let onTheirWay = try await settlements.assignedCount(orderId: orderId, in: tx)
            let lastShipment = onTheirWay == 0 ? try await !sellerOrders.awaitsAddedLines(orderId: orderId, in: tx) : false
            let payment = try await settlements.payment(orderId: orderId, in: tx)
                .collecting(amount, lastShipment: lastShipment)
            try await settlements.save(payment, orderId: orderId, in: tx)
            logger.info(
                "seller order delivered and settled",
                metadata: [
                    LogKey.sellerOrderId: "\(delivered.splitOrderId)", LogKey.paymentCollected: "\(payment.collectedAmount)",
                ]
            )
            guard lastShipment else {
                // What this courier collected may differ from its share (the payment changed
                // while it was on its way): the couriers still on their way share what is owed now.
                try await Outbox.enqueue(
                    try await sellerOrders.recollect(orderId: orderId, remaining: payment.remainingAmount, in: tx).map {
                        try Outbox.Message($0, traceparent: trace)
                    },
                    in: tx
                )
                return
            }
            try await Outbox.enqueue(try await settlements.markOrderDelivered(orderId: orderId, in: tx), in: tx)
            logger.info("order delivered and paid", metadata: [LogKey.orderId: "\(orderId)"])
        }
    }
}
