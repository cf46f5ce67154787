import Foundation
import Postgres
import ServiceKit

/// Shopify refunds of an order in the `orders` schema, in the caller's transaction, with what
/// they change in its payment. A refund is recorded once by its Shopify id, whichever webhook
/// brings it first, so its money is counted and its units restocked once.
struct RefundRepository: Sendable {
    /// Records those of `refunds` not recorded yet and returns them. Each new refund's money
    /// is added to the payment's refunded amount and taken off its advance (what was paid
    /// online before the split), unless `countedInPayment` (an order created from a payload
    /// that lists them already counts them); the order must be locked by the caller.
    func record(
        _ refunds: [ShopifyRefund],
        orderId: Int64,
        countedInPayment: Bool = false,
        in tx: PostgresLease
    ) async throws -> [ShopifyRefund] {
        var recorded: [ShopifyRefund] = []
        for refund in refunds {
            guard
                let id = try await tx.query(
                    """
                    INSERT INTO refunds (order_id, shopify_refund_id, amount) VALUES (\(orderId), \(refund.id), \(refund.amount))
                    ON CONFLICT (order_id, shopify_refund_id) DO NOTHING
                    RETURNING id
                    """
                ).first?.decode("id", as: Int64.self)
            else { continue }
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
            recorded.append(refund)
        }
        let amount = recorded.reduce(Decimal(0)) { $0 + $1.amount }
        if amount > 0, !countedInPayment {
            _ = try await tx.query(
                """
                UPDATE payments SET refunded_amount = refunded_amount + \(amount),
                    advance_amount = greatest(0, advance_amount - \(amount))
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
