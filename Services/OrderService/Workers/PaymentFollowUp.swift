import Foundation
import Postgres
import ServiceKit

/// What follows a change of an order's payment after the split, in the caller's transaction
/// (the order locked): the seller orders still on their way collect what the customer now
/// owes, each change announced (`seller_order.collection_changed`), and each refund recorded
/// for the first time is announced (`order.refunded`) so that its restocked units go back once.
struct PaymentFollowUp: Sendable {
    let sellerOrders = SellerOrderRepository()
    let refunds = RefundRepository()
    let edits = OrderEditRepository()

    /// The seller orders of a split order collect `remaining` between them.
    func recollect(
        _ order: OrderRepository.Stored,
        remaining: Decimal,
        traceparent: String?,
        in tx: PostgresLease
    ) async throws -> [Outbox.Message] {
        guard order.status == .allocated else { return [] }
        return try await sellerOrders.recollect(orderId: order.id, remaining: remaining, in: tx).map {
            try Outbox.Message($0, traceparent: traceparent)
        }
    }

    /// Money refunded before any newer order payload states it: it comes off the stored
    /// payment (refunds/create, or the refunds of an older orders/updated).
    func deduct(
        _ amount: Decimal,
        from order: OrderRepository.Stored,
        traceparent: String?,
        in tx: PostgresLease
    ) async throws -> [Outbox.Message] {
        guard amount > 0 else { return [] }
        let payment = try await refunds.deduct(amount, orderId: order.id, in: tx)
        return try await recollect(order, remaining: payment.remainingAmount, traceparent: traceparent, in: tx)
    }

    /// `order.refunded` for each new refund that restocks units. A cancelled order's stock is
    /// back already, except what its delivered seller orders shipped; one with none delivered
    /// (also one first seen cancelled, which InventoryService never heard of) has nothing to
    /// restock.
    func announce(
        _ newRefunds: [ShopifyRefund],
        of order: OrderRepository.Stored,
        shopifyOrderId: Int64,
        shopDomain: String,
        traceparent: String?,
        in tx: PostgresLease
    ) async throws -> [Outbox.Message] {
        let restocking = newRefunds.filter { !$0.restocked.isEmpty }
        guard !restocking.isEmpty else { return [] }
        if order.status == .cancelled, try await !sellerOrders.anyDelivered(orderId: order.id, in: tx) { return [] }
        let addedBy = try await edits.addedRevisions(orderId: order.id, in: tx)
        return try restocking.map { refund in
            try Outbox.Message(
                OrderRefunded(
                    orderId: String(order.id),
                    shopifyOrderId: String(shopifyOrderId),
                    shopDomain: shopDomain,
                    refundId: String(refund.id),
                    amount: Money.format(refund.amount),
                    currency: order.currency,
                    restocked: refund.restocked.map {
                        .init(lineItemId: String($0.lineItemId), quantity: $0.quantity, addedRevision: addedBy[$0.lineItemId])
                    }
                ),
                traceparent: traceparent
            )
        }
    }
}
