import Foundation
import Postgres
import ServiceKit

/// Announces a delivered shipment for settlement (`delivery.delivered`), at most once per
/// delivery: the `settlement` column moves to `announced` in the same transaction.
enum SettlementAnnouncer {
    static func announce(_ delivery: DeliveryRepository.Delivery, awb: String?, in tx: PostgresLease) async throws {
        let marked = try await tx.query(
            """
            UPDATE deliveries SET settlement = 'announced', settlement_error = NULL, updated_at = now()
            WHERE id = \(delivery.id) AND settlement IN ('none', 'awaiting_confirmation')
            """
        )
        guard marked.affectedRows == 1 else { return }
        try await Outbox.enqueue(
            DeliveryDelivered(
                splitOrderId: delivery.splitOrderId,
                orderId: delivery.orderId,
                shopifyOrderId: delivery.shopifyOrderId,
                shopDomain: delivery.shopDomain,
                awb: delivery.awb ?? awb,
                collectedAmount: Money.format(delivery.collectAmount),
                currency: delivery.currency
            ),
            in: tx
        )
    }

    /// Holds the settlement until Shiprocket's tracking API confirms the delivery.
    static func awaitConfirmation(_ delivery: DeliveryRepository.Delivery, in tx: PostgresLease) async throws {
        _ = try await tx.query(
            """
            UPDATE deliveries SET settlement = 'awaiting_confirmation', settlement_next_at = now(), updated_at = now()
            WHERE id = \(delivery.id) AND settlement = 'none'
            """
        )
    }
}
