import Foundation
import Postgres
import ServiceKit

/// Applies one stored refunds/create delivery inside the processor's transaction: the refund
/// is recorded once by its Shopify id (also when an orders/updated listed it first), its money
/// comes off the payment, the seller orders still on their way collect what is now owed, and
/// its restocked units are announced (`order.refunded`).
struct RefundWebhookHandler: Sendable {
    let orders = OrderRepository()
    let refunds = RefundRepository()
    let followUp = PaymentFollowUp()

    /// The refund's order is not stored yet (its orders/create is still on its way): retried.
    struct OrderNotKnownYet: Error, CustomStringConvertible {
        let shopifyOrderId: Int64
        var description: String { "order \(shopifyOrderId) is not known yet; the refund is retried" }
    }

    func handle(
        shopDomain: String,
        refund: ShopifyRefund,
        traceparent: String?,
        lock: OrderWebhookHandler.Lock = .here,
        in tx: PostgresLease
    ) async throws -> OrderWebhookHandler.Outcome {
        guard let shopifyOrderId = refund.orderId else { throw PermanentWebhookError("refund has no order_id") }
        let stored: OrderRepository.Stored?
        switch lock {
        case .here: stored = try await orders.lock(shopDomain: shopDomain, shopifyOrderId: shopifyOrderId, in: tx)
        case .alreadyLocked(let found): stored = found
        }
        guard let order = stored else { throw OrderNotKnownYet(shopifyOrderId: shopifyOrderId) }
        var outcome = OrderWebhookHandler.Outcome(order: order)
        let recorded = try await refunds.record([refund], orderId: order.id, in: tx)
        outcome.events += try await followUp.deduct(recorded.money, from: order, traceparent: traceparent, in: tx)
        outcome.events += try await followUp.announce(
            recorded.new,
            of: order,
            shopifyOrderId: shopifyOrderId,
            shopDomain: shopDomain,
            traceparent: traceparent,
            in: tx
        )
        return outcome
    }

    static func parse(_ payload: Data) throws -> ShopifyRefund {
        let refund: ShopifyRefund
        do {
            refund = try ShopifyRefund.decode(payload)
        } catch {
            throw PermanentWebhookError("payload does not match Shopify's refund schema: \(OrderWebhookHandler.describe(error))")
        }
        if let refusal = refund.refusal { throw PermanentWebhookError(refusal) }
        return refund
    }
}
