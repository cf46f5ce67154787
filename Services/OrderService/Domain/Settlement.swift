import Foundation

/// What an order's payment becomes as its seller orders are delivered: the collected amount
/// rises by what each courier collected (never above the total), and once the last shipment
/// arrives the customer has paid in full.
struct Settlement: Sendable, Equatable {
    var totalAmount: Decimal
    var collectedAmount: Decimal
    /// The part of `collectedAmount` couriers collected (kept apart: Shopify does not know it).
    var cashCollected: Decimal = 0
    var refundedAmount: Decimal = 0

    var remainingAmount: Decimal { totalAmount - collectedAmount }
    var status: PaymentSummary.Status {
        PaymentSummary.status(collected: collectedAmount, remaining: remainingAmount, refunded: refundedAmount)
    }

    /// The payment after a courier collected `amount`; `lastShipment` when no seller order of
    /// the order is still on its way.
    func collecting(_ amount: Decimal, lastShipment: Bool) -> Settlement {
        let collected = lastShipment ? totalAmount : min(totalAmount, collectedAmount + amount)
        return Settlement(
            totalAmount: totalAmount,
            collectedAmount: collected,
            cashCollected: cashCollected + amount,
            refundedAmount: refundedAmount
        )
    }

    /// The payment after `amount` was given back: it comes off what was paid (never below 0)
    /// and off the total, so what is still owed stays what it was. `refundedAmount` is
    /// already counted by the caller.
    func refunding(_ amount: Decimal) -> Settlement {
        let collected = max(0, collectedAmount - amount)
        let total = max(collected, totalAmount - amount)
        return Settlement(totalAmount: total, collectedAmount: collected, cashCollected: cashCollected, refundedAmount: refundedAmount)
    }
}
