import Foundation
import Postgres
import ServiceKit

/// Shopify refunds of an order in the `orders` schema, in the caller's transaction, with what
/// they change in its payment. A refund is recorded once by its Shopify id, whichever webhook
/// brings it first, so its money is counted and its units restocked once.
struct RefundRepository: Sendable {
    /// What recording refunds changed: the refunds seen for the first time (whose restocked
    /// units are to be announced) and the money given back that was not counted before.
    struct Recorded: Sendable {
        var new: [ShopifyRefund] = []
        var money: Decimal = 0
    }

    /// Records those of `refunds` not recorded yet, and the money of recorded ones whose
    /// successful transactions grew since (a refund first seen with its transaction pending).
    /// The money is added to the payment's refunded amount and taken off its advance (what
    /// was paid online before the split), unless `countedInPayment` (an order created from a
    /// payload that lists them already counts them). The order must be locked by the caller.
    func record(
        _ refunds: [ShopifyRefund],
        orderId: Int64,
        countedInPayment: Bool = false,
        in tx: PostgresLease
    ) async throws -> Recorded {
        var recorded = Recorded()
        for refund in refunds {
            if let known = try await tx.query(
                "SELECT amount FROM refunds WHERE order_id = \(orderId) AND shopify_refund_id = \(refund.id) FOR UPDATE"
            ).first {
                let amount: Decimal = try known.decode("amount")
                guard refund.amount > amount else { continue }
                _ = try await tx.query(
                    "UPDATE refunds SET amount = \(refund.amount) WHERE order_id = \(orderId) AND shopify_refund_id = \(refund.id)"
                )
                recorded.money += refund.amount - amount
                continue
            }
            let id = try await tx.query(
                """
                INSERT INTO refunds (order_id, shopify_refund_id, amount) VALUES (\(orderId), \(refund.id), \(refund.amount))
                RETURNING id
                """
            )[0].decode("id", as: Int64.self)
            let lines = refund.refundLineItems ?? []
            if !lines.isEmpty {
                _ = try await tx.query(
                    """
                    INSERT INTO refund_line_items (refund_id, shopify_line_item_id, quantity, restock_type)
                    SELECT \(id), line, quantity, restock
                    FROM unnest(\(lines.map(\.lineItemId))::bigint[], \(lines.map(\.quantity))::int[],
                                \(lines.map { $0.restockType ?? "" })::text[]) AS l (line, quantity, restock)
                    """
                )
            }
            recorded.new.append(refund)
            recorded.money += refund.amount
        }
        if recorded.money > 0, !countedInPayment {
            _ = try await tx.query(
                """
                UPDATE payments SET refunded_amount = refunded_amount + \(recorded.money),
                    advance_amount = greatest(0, advance_amount - \(recorded.money))
                WHERE order_id = \(orderId)
                """
            )
        }
        return recorded
    }

    /// A refund known before any newer order payload: the money given back comes off the
    /// stored total and collected amounts (what is still owed stays), until Shopify's next
    /// payload states the figures itself.
    func deduct(_ amount: Decimal, orderId: Int64, in tx: PostgresLease) async throws -> Settlement {
        let row = try await tx.query(
            """
            SELECT total_amount, collected_amount, cash_collected, refunded_amount FROM payments
            WHERE order_id = \(orderId) FOR UPDATE
            """
        )[0]
        let payment = Settlement(
            totalAmount: try row.decode("total_amount"),
            collectedAmount: try row.decode("collected_amount"),
            cashCollected: try row.decode("cash_collected"),
            refundedAmount: try row.decode("refunded_amount")
        ).refunding(amount)
        _ = try await tx.query(
            """
            UPDATE payments SET total_amount = \(payment.totalAmount), collected_amount = \(payment.collectedAmount),
                remaining_amount = \(payment.remainingAmount), status = \(payment.status.rawValue)
            WHERE order_id = \(orderId)
            """
        )
        return payment
    }
}
