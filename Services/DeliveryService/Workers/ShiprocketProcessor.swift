import Common
import Foundation
import Logging
import Metrics
import Postgres
import ServiceKit
import ServiceLifecycle

/// Applies stored Shiprocket webhooks, oldest first, one per transaction (claimed with
/// `SKIP LOCKED`, so replicas share the work): finds the delivery, records its AWB, moves its
/// status forward or keeps the event in the history only, and announces changes through the
/// outbox. Delivered is terminal, and the announcement is recorded on the delivery, so a
/// shipment is announced delivered (and settled) once.
struct ShiprocketProcessor: Service {
    let pool: PostgresPool
    let deliveries: DeliveryRepository
    let logger: Logger
    /// Whether COD settlement waits for `SettlementConfirmer`.
    let confirmsDeliveries: Bool
    var pollInterval = Duration.milliseconds(50)
    var maxAttempts = 8
    /// 2 s, 4 s, 8 s, ..., each wait between half and all of that so that webhooks that failed
    /// together spread out (eight attempts span four to eight minutes).
    static let retry = RetryPolicy(base: .seconds(2), cap: .seconds(600))
    private let unknownCodes = Counter(label: "shiprocket_unknown_status_codes_total")
    private let unmatched = Counter(label: "shiprocket_unmatched_webhooks_total")

    init(pool: PostgresPool, confirmsDeliveries: Bool = false, logger: Logger) {
        self.pool = pool
        self.confirmsDeliveries = confirmsDeliveries
        self.deliveries = DeliveryRepository(pool: pool)
        self.logger = logger
    }

    func run() async throws {
        await BatchPoller(batchSize: 1, interval: pollInterval, logger: logger, failure: "shiprocket webhook pass failed")
            .run { try await processNext() }
    }

    /// Processes the oldest pending webhook, if any; returns how many it took (0 or 1).
    @discardableResult
    func processNext() async throws -> Int {
        try await pool.withTransaction(retries: 3) { tx in
            guard
                let row = try await tx.query(
                    """
                    SELECT id, awb, channel_order_id, sr_order_id, shipment_status_id, shipment_status, event_at, mapped_status, attempts
                    FROM shiprocket_webhooks
                    WHERE state = 'pending' AND next_attempt_at <= now()
                    ORDER BY id LIMIT 1
                    FOR UPDATE SKIP LOCKED
                    """
                ).first
            else { return 0 }
            let id: Int64 = try row.decode("id")
            guard let failure = try await tx.withSavepoint("webhook", { try await apply(row, id: id, in: tx) }) else { return 1 }
            let attempts = try row.decode("attempts", as: Int.self) + 1
            let outcome = Self.retry.after(failedAttempt: attempts, of: maxAttempts)
            let reason = String(String(describing: failure).prefix(1000))
            _ = try await tx.query(
                """
                UPDATE shiprocket_webhooks
                SET attempts = \(attempts), last_error = \(reason), state = \(outcome.isFinal ? "failed" : "pending"),
                    next_attempt_at = now() + \(outcome.delay.seconds) * interval '1 second'
                WHERE id = \(id)
                """
            )
            logger.warning("shiprocket webhook processing failed", metadata: [LogKey.shiprocketWebhookId: "\(id)", LogKey.error: "\(reason)"])
            return 1
        }
    }

    private func apply(_ row: PostgresRow, id: Int64, in tx: PostgresLease) async throws {
        let awb: String? = try row.decode("awb")
        let channelOrderId: String? = try row.decode("channel_order_id")
        try await deliveries.lockMatching(splitOrderId: channelOrderId, awb: awb, in: tx)
        guard let (found, isReplacedAWB) = try await deliveries.match(awb: awb, channelOrderId: channelOrderId, in: tx) else {
            _ = try await tx.query("UPDATE shiprocket_webhooks SET state = 'unmatched', processed_at = now() WHERE id = \(id)")
            unmatched.increment()
            logger.warning(
                "shiprocket webhook for an unknown shipment; kept until its delivery or its AWB is known",
                metadata: [
                    LogKey.shipmentAWB: "\(awb ?? "-")", LogKey.shiprocketOrderId: "\(channelOrderId ?? "-")",
                ]
            )
            return
        }
        var delivery = found
        let eventAt: Date? = try row.decode("event_at")
        let match = ShipmentMatch.decide(
            deliveryAWB: delivery.awb,
            webhookAWB: awb,
            isReplacedAWB: isReplacedAWB,
            status: delivery.status,
            cancelledByOrder: delivery.cancelledByOrder,
            // Not earlier than the shipment's last event (Shiprocket's times are to the second);
            // without a time, only over a shipment that has none either.
            isLaterEvent: delivery.statusAt.map { last in eventAt.map { $0 >= last } ?? false } ?? true
        )
        switch match {
        case .sameShipment: break
        case .firstAWB:
            if let awb, try await deliveries.recordAWB(awb, deliveryId: delivery.id, in: tx) { delivery.awb = awb }
        case .reshipment:
            guard let awb else { break }
            try await deliveries.reship(
                deliveryId: delivery.id,
                awb: awb,
                srOrderId: try row.decode("sr_order_id", as: String?.self),
                in: tx
            )
            logger.notice(
                "seller order shipped again under a new AWB",
                metadata: [
                    LogKey.sellerOrderId: "\(delivery.splitOrderId)", LogKey.shipmentAWB: "\(awb)",
                    LogKey.statusFrom: "\(delivery.status.rawValue)",
                ]
            )
            (delivery.awb, delivery.status, delivery.statusAt, delivery.srOrderId) = (awb, .pending, nil, nil)
        case .otherShipment:
            logger.notice(
                "shiprocket webhook names another shipment of the seller order; kept in the history only",
                metadata: [LogKey.sellerOrderId: "\(delivery.splitOrderId)", LogKey.shipmentAWB: "\(awb ?? "-")"]
            )
            _ = try await tx.query(
                "UPDATE shiprocket_webhooks SET state = 'history', delivery_id = \(delivery.id), processed_at = now() WHERE id = \(id)"
            )
            return
        }
        if delivery.srOrderId == nil, let srOrderId = try row.decode("sr_order_id", as: String?.self) {
            try await deliveries.recordShiprocketOrderId(srOrderId, deliveryId: delivery.id, in: tx)
            delivery.srOrderId = srOrderId
        }
        let statusId: Int? = try row.decode("shipment_status_id")
        let next = try row.decode("mapped_status", as: String?.self).flatMap(DeliveryStatus.init(rawValue:))
        if next == nil { unknownCodes.increment() }
        let decision = StatusTransition.decide(current: delivery.status, at: delivery.statusAt, next: next, at: eventAt)
        if decision == .apply, let next {
            try await deliveries.setStatus(next, at: eventAt, deliveryId: delivery.id, in: tx)
            try await Outbox.enqueue(
                DeliveryStatusChanged(
                    splitOrderId: delivery.splitOrderId,
                    orderId: delivery.orderId,
                    shopifyOrderId: delivery.shopifyOrderId,
                    shopDomain: delivery.shopDomain,
                    awb: delivery.awb ?? awb,
                    previousStatus: delivery.status.rawValue,
                    status: next.rawValue,
                    shiprocketStatus: try row.decode("shipment_status"),
                    shiprocketStatusId: statusId
                ),
                in: tx
            )
            if next == .delivered {
                // Money collected on the strength of a static token waits for the tracking
                // API's word, when one is configured.
                if confirmsDeliveries && delivery.collectAmount > 0 {
                    try await SettlementAnnouncer.awaitConfirmation(delivery, in: tx)
                } else {
                    try await SettlementAnnouncer.announce(delivery, awb: awb, in: tx)
                }
            }
            logger.info(
                "delivery status changed",
                metadata: [
                    LogKey.sellerOrderId: "\(delivery.splitOrderId)", LogKey.statusFrom: "\(delivery.status.rawValue)",
                    LogKey.statusTo: "\(next.rawValue)",
                ]
            )
        }
        _ = try await tx.query(
            """
            UPDATE shiprocket_webhooks
            SET state = \(decision == .apply ? "applied" : "history"), delivery_id = \(delivery.id), processed_at = now()
            WHERE id = \(id)
            """
        )
    }
}
