import Foundation
import Postgres
import ServiceKit

/// Applies one stored order delivery inside the processor's transaction.
///
/// Every order topic carries the whole order, so each one creates the order if it does not
/// exist yet (an orders/updated that overtakes its orders/create is not lost) and otherwise
/// updates it only if it is newer (`updated_at`) than what is stored. The order is created
/// once per (shop, Shopify order id), enforced by a unique constraint, and `order.confirmed`
/// is written to the outbox in the same transaction. orders/cancelled, or any payload with
/// `cancelled_at`, cancels it once and announces `order.cancelled`.
struct OrderWebhookHandler: Sendable {
    let orders = OrderRepository()
    let refunds = RefundRepository()
    let followUp = PaymentFollowUp()
    let editFollowUp = OrderEditFollowUp()
    let settlements = SettlementRepository()

    /// Whether the caller already locked the order (as `OrderRepository.lockAll` does for a
    /// batch), and what it found.
    enum Lock {
        case here
        case alreadyLocked(OrderRepository.Stored?)
    }

    /// What handling a delivery left: the order as it now stands (nil if there is none) and
    /// the events the caller must add to the outbox in the same transaction.
    struct Outcome {
        var order: OrderRepository.Stored?
        var events: [Outbox.Message] = []
        /// Lines an edit increased, whose extra units this service does not allocate.
        var unallocatedAdditions: [Int64] = []
    }

    /// `order` is the delivery's payload as `parse` read it.
    func handle(
        topic: ShopifyTopic,
        shopDomain: String,
        order: ShopifyOrderWebhook,
        traceparent: String?,
        lock: Lock = .here,
        in tx: PostgresLease
    ) async throws -> Outcome {
        let payment: PaymentSummary
        do {
            payment = try PaymentSummary(order: order)
        } catch let error as OrderPayloadError {
            throw PermanentWebhookError(error.description)
        }
        guard let updatedAt = try? Date(order.updatedAt, strategy: .iso8601) else {
            throw PermanentWebhookError("updated_at is not an ISO 8601 time")
        }

        var outcome = Outcome(order: nil)
        switch lock {
        case .here: outcome.order = try await orders.lock(shopDomain: shopDomain, shopifyOrderId: order.id, in: tx)
        case .alreadyLocked(let stored): outcome.order = stored
        }
        if outcome.order == nil {
            let customerId = try await orders.upsertCustomer(order.customer, fallbackEmail: order.email, shopDomain: shopDomain, in: tx)
            if let orderId = try await orders.insertOrder(
                order,
                payment: payment,
                updatedAt: updatedAt,
                customerId: customerId,
                shopDomain: shopDomain,
                in: tx
            ) {
                // Its refunds are in the payment already; recorded so that none counts twice.
                _ = try await refunds.record(order.refunds ?? [], orderId: orderId, countedInPayment: true, in: tx)
                if Self.cancels(topic, order) {
                    // First seen already cancelled: kept as cancelled, never confirmed, so it
                    // takes no stock and sends nothing.
                    try await orders.markCancelled(orderId: orderId, at: order.cancelledDate, in: tx)
                    outcome.order = OrderRepository.Stored(id: orderId, status: .cancelled, shopifyUpdatedAt: updatedAt, currency: order.currency)
                } else {
                    outcome.events.append(
                        try Outbox.Message(
                            Self.confirmed(order, orderId: orderId, shopDomain: shopDomain, payment: payment),
                            traceparent: traceparent
                        )
                    )
                    outcome.order = OrderRepository.Stored(id: orderId, status: .confirmed, shopifyUpdatedAt: updatedAt, currency: order.currency)
                }
            } else {
                // Another delivery of the same order committed first: continue as an update.
                outcome.order = try await orders.lock(shopDomain: shopDomain, shopifyOrderId: order.id, in: tx)
            }
        } else if let current = outcome.order {
            // Refunds count once by id, whichever payload lists them, even a stale one.
            let recorded = try await refunds.record(order.refunds ?? [], orderId: current.id, in: tx)
            if updatedAt > current.shopifyUpdatedAt, current.status.takesUpdates {
                try await orders.updateOrder(order, updatedAt: updatedAt, orderId: current.id, in: tx)
                // Lines first: the seller orders' amounts decide how what is owed is shared.
                let edit = try await editFollowUp.apply(order, to: current, shopDomain: shopDomain, traceparent: traceparent, in: tx)
                outcome.events += edit.events
                outcome.unallocatedAdditions = edit.increases
                // Shopify's payload says what was paid online; what couriers collected stays.
                let here = try await orders.collectedHere(orderId: current.id, in: tx)
                let updated = payment.adding(cashCollected: here.cash, advance: here.advance, refunded: here.refunded)
                try await orders.savePayment(updated, orderId: current.id, currency: order.currency, in: tx)
                outcome.order?.shopifyUpdatedAt = updatedAt
                outcome.events += try await followUp.recollect(current, remaining: updated.remainingAmount, traceparent: traceparent, in: tx)
                // An edit emptied the last seller order on its way: the order may be done.
                if edit.emptiedSellerOrders, let delivered = try await settlements.completeIfDone(orderId: current.id, in: tx) {
                    outcome.events.append(try Outbox.Message(delivered, traceparent: traceparent))
                    outcome.order?.status = .delivered
                }
            } else {
                outcome.events += try await followUp.deduct(recorded.money, from: current, traceparent: traceparent, in: tx)
            }
            outcome.events += try await followUp.announce(
                recorded.new,
                of: current,
                shopifyOrderId: order.id,
                shopDomain: shopDomain,
                traceparent: traceparent,
                in: tx
            )
        }

        if Self.cancels(topic, order), let current = outcome.order, current.status.moves(to: .cancelled) {
            let cancellation = try await orders.markCancelled(orderId: current.id, at: order.cancelledDate, in: tx)
            outcome.events.append(
                try Outbox.Message(
                    OrderCancelled(
                        orderId: String(current.id),
                        shopifyOrderId: String(order.id),
                        shopDomain: shopDomain,
                        keptLineItemIds: cancellation.keptLineItemIds
                    ),
                    traceparent: traceparent
                )
            )
            for sellerOrder in cancellation.cancelled {
                outcome.events.append(
                    try Outbox.Message(
                        SellerOrderCancelled(
                            splitOrderId: sellerOrder.splitOrderId,
                            orderId: String(current.id),
                            shopifyOrderId: String(order.id),
                            shopDomain: shopDomain,
                            name: order.name,
                            vendorId: sellerOrder.vendorId,
                            vendorName: sellerOrder.vendorName,
                            vendorEmail: sellerOrder.vendorEmail,
                            hubId: sellerOrder.hubId
                        ),
                        traceparent: traceparent
                    )
                )
            }
            outcome.order?.status = .cancelled
        }
        return outcome
    }

    /// Whether a delivery cancels its order. Shopify never takes a cancellation back, so any
    /// payload with `cancelled_at` counts, whatever its topic or age: an orders/updated sent
    /// after the cancellation still cancels if orders/cancelled itself was lost.
    static func cancels(_ topic: ShopifyTopic, _ order: ShopifyOrderWebhook) -> Bool {
        topic == .ordersCancelled || order.cancelledAt != nil
    }

    static func parse(_ payload: Data) throws -> ShopifyOrderWebhook {
        var order: ShopifyOrderWebhook
        do {
            order = try ShopifyOrderWebhook.decode(payload)
        } catch {
            throw PermanentWebhookError("payload does not match Shopify's order schema: \(Self.describe(error))")
        }
        if let refusal = OrderPayloadCheck.refusal(order) { throw PermanentWebhookError(refusal) }
        // A refund entry that cannot be applied is left out rather than refusing the order (its
        // refunds/create is refused with the reason); the order's own figures still count.
        order.unreadableRefunds = order.refunds?.filter { $0.refusal != nil }
        order.refunds = order.refunds?.filter { $0.refusal == nil }
        // A blank or malformed address is no address: the customer's, else the order's.
        order.email = EmailAddress.normalized(order.email)
        if let email = order.customer?.email { order.customer?.email = EmailAddress.normalized(email) }
        return order
    }

    static func confirmed(_ order: ShopifyOrderWebhook, orderId: Int64, shopDomain: String, payment: PaymentSummary) -> OrderConfirmed {
        OrderConfirmed(
            orderId: String(orderId),
            shopifyOrderId: String(order.id),
            shopDomain: shopDomain,
            name: order.name,
            currency: order.currency,
            customer: .init(
                email: order.customer?.email ?? order.email,
                firstName: order.customer?.firstName,
                lastName: order.customer?.lastName,
                phone: order.customer?.phone
            ),
            shippingPoint: .init(order.shippingAddress),
            billingPoint: .init(order.billingAddress),
            // Only what a vendor ships is allocated (what the order still has of it); the other
            // lines count in the payment.
            items: order.lineItems.filter { $0.isShipped && $0.currentUnits > 0 }.map(OrderConfirmed.Item.init),
            payment: .init(
                method: payment.method.rawValue,
                status: payment.status.rawValue,
                totalAmount: Money.format(payment.totalAmount),
                collectedAmount: Money.format(payment.collectedAmount),
                remainingAmount: Money.format(payment.remainingAmount)
            )
        )
    }

    /// A short reason naming the field, without echoing payload values.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "invalid JSON" }
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing \(path(context).isEmpty ? "" : path(context) + ".")\(key.stringValue)"
        case .typeMismatch(_, let context), .valueNotFound(_, let context): return "wrong type at \(path(context))"
        case .dataCorrupted(let context): return "invalid value at \(path(context))"
        @unknown default: return "invalid payload"
        }
    }
}
