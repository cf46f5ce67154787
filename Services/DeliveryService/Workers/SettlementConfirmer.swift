import Common
import Foundation
import Logging
import Postgres
import ServiceKit
import ServiceLifecycle

/// With Shiprocket's tracking API configured: asks it about each delivered shipment whose
/// settlement waits for confirmation, announces the settlement once it confirms, and asks
/// again later (backing off) while it does not. After `maxAttempts` the delivery is left
/// `unconfirmed` for a person to look at; its money is never announced on the webhook alone.
struct SettlementConfirmer: Service {
    let pool: PostgresPool
    let tracking: ShiprocketTracking
    let logger: Logger
    var maxAttempts = 10
    var maxInterval = Duration.seconds(6 * 3600)

    func run() async throws {
        await BatchPoller(batchSize: 1, interval: .milliseconds(500), logger: logger, failure: "settlement confirmation pass failed")
            .run { try await confirmNext() }
    }

    /// Looks at the next delivery due for confirmation, if any; returns how many (0 or 1).
    @discardableResult
    func confirmNext() async throws -> Int {
        try await pool.withTransaction { tx in
            guard
                let row = try await tx.query(
                    """
                    SELECT * FROM deliveries
                    WHERE settlement = 'awaiting_confirmation' AND settlement_next_at <= now()
                    ORDER BY settlement_next_at LIMIT 1
                    FOR UPDATE SKIP LOCKED
                    """
                ).first
            else { return 0 }
            let delivery = try DeliveryRepository.Delivery(row)
            let attempts = try row.decode("settlement_attempts", as: Int.self) + 1
            let answer: ShiprocketTracking.Answer
            do {
                guard let awb = delivery.awb else { throw ShiprocketTracking.TrackingError(description: "no AWB to track") }
                answer = try await tracking.isDelivered(awb: awb, srOrderId: delivery.srOrderId)
            } catch {
                answer = .notDelivered("\(error)")
            }
            switch answer {
            case .delivered:
                try await SettlementAnnouncer.announce(delivery, awb: delivery.awb, in: tx)
                logger.info(
                    "delivery confirmed by Shiprocket's tracking; settlement announced",
                    metadata: [LogKey.sellerOrderId: "\(delivery.splitOrderId)"]
                )
            case .notDelivered(let reason):
                let outcome = RetryPolicy(base: tracking.settings.retryInterval, cap: maxInterval)
                    .after(failedAttempt: attempts, of: maxAttempts)
                _ = try await tx.query(
                    """
                    UPDATE deliveries
                    SET settlement_attempts = \(attempts), settlement_error = \(reason),
                        settlement = \(outcome.isFinal ? "unconfirmed" : "awaiting_confirmation"),
                        settlement_next_at = now() + \(outcome.delay.seconds) * interval '1 second'
                    WHERE id = \(delivery.id)
                    """
                )
                logger.warning(
                    "delivery not confirmed by Shiprocket's tracking yet",
                    metadata: [
                        LogKey.sellerOrderId: "\(delivery.splitOrderId)", LogKey.attempt: "\(attempts)", LogKey.reason: "\(reason)",
                    ]
                )
            }
            return 1
        }
    }
}
