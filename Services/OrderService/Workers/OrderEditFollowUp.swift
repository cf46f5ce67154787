import Foundation
import Postgres
import ServiceKit

/// What follows an order payload whose lines changed (an order edit, or `current_quantity`
/// in an orders/updated), in the caller's transaction (the order locked): the lines take
/// their new quantities, the units an edit removed go back to stock once (`order.edited`),
/// and the seller orders still on their way ship what is left (`seller_order.changed`) or,
/// with nothing left, are cancelled (`seller_order.cancelled`; the caller then sees whether
/// the order is done, once its payment is updated). Lines the payload adds are
/// stored and sent to be allocated (`order.lines_added`); a line's quantity raised is
/// reported (`editNotice`), not allocated.
struct OrderEditFollowUp: Sendable {
    let edits = OrderEditRepository()
    let orders = OrderRepository()

    func apply(
        _ payload: ShopifyOrderWebhook,
        to order: OrderRepository.Stored,
        shopDomain: String,
        traceparent: String?,
        in tx: PostgresLease
    ) async throws -> (events: [Outbox.Message], increases: [Int64], emptiedSellerOrders: Bool) {
        guard order.status.takesEdits else { return ([], [], false) }
        let lines = try await edits.lines(orderId: order.id, in: tx)
        // Refund entries left out of the payload (unreadable) still took their units back.
        var refunded = lines.refunded
        for line in (payload.unreadableRefunds ?? []).flatMap({ $0.refundLineItems ?? [] }) where line.quantity > 0 {
            refunded[line.lineItemId, default: 0] += line.quantity
        }
        let edit = OrderEdit.between(stored: lines.stored, payload: payload.lineItems, refunded: refunded)
        if !edit.increases.isEmpty {
            try await edits.report(
                "an edit raised the quantity of line items \(edit.increases.map(String.init).joined(separator: ", ")); the extra units are not allocated",
                orderId: order.id,
                in: tx
            )
        }
        var events = try await add(edit.newLines, from: payload, to: order, shopDomain: shopDomain, traceparent: traceparent, in: tx)
        guard !edit.changes.isEmpty else { return (events, edit.increases, false) }
        try await edits.apply(edit.changes, orderId: order.id, in: tx)
        // Units a delivered seller order shipped are with the customer: a return, not an edit.
        let released = edit.changes.filter {
            $0.release > 0 && lines.shipped.contains($0.lineItemId) && !lines.delivered.contains($0.lineItemId)
        }
        if !released.isEmpty {
            events.append(
                try Outbox.Message(
                    OrderEdited(
                        orderId: String(order.id),
                        shopifyOrderId: String(payload.id),
                        shopDomain: shopDomain,
                        revision: payload.updatedAt,
                        released: released.map {
                            .init(lineItemId: String($0.lineItemId), quantity: $0.release, addedRevision: lines.addedBy[$0.lineItemId])
                        }
                    ),
                    traceparent: traceparent
                )
            )
        }
        guard order.status == .allocated else { return (events, edit.increases, false) }
        let (changed, cancelled) = try await edits.followSellerOrders(
            orderId: order.id,
            lineItemIds: edit.changes.filter(\.quantityChanged).map(\.lineItemId),
            revision: payload.updatedAt,
            in: tx
        )
        events += try changed.map { try Outbox.Message($0, traceparent: traceparent) }
        events += try cancelled.map {
            try Outbox.Message(
                SellerOrderCancelled(
                    splitOrderId: $0.splitOrderId,
                    orderId: String(order.id),
                    shopifyOrderId: String(payload.id),
                    shopDomain: shopDomain,
                    name: payload.name,
                    vendorId: $0.vendorId,
                    vendorName: $0.vendorName,
                    vendorEmail: $0.vendorEmail,
                    hubId: $0.hubId
                ),
                traceparent: traceparent
            )
        }
        return (events, edit.increases, !cancelled.isEmpty)
    }

    /// Stores the lines an edit added and, for those a vendor ships, asks for their allocation.
    private func add(
        _ lineItemIds: [Int64],
        from payload: ShopifyOrderWebhook,
        to order: OrderRepository.Stored,
        shopDomain: String,
        traceparent: String?,
        in tx: PostgresLease
    ) async throws -> [Outbox.Message] {
        let added = payload.lineItems.filter { lineItemIds.contains($0.id) }
        guard !added.isEmpty else { return [] }
        try await orders.insertItems(added, orderId: order.id, revision: payload.updatedAt, in: tx)
        let shipped = added.filter(\.isShipped)
        guard !shipped.isEmpty else { return [] }
        return [
            try Outbox.Message(
                OrderLinesAdded(
                    orderId: String(order.id),
                    shopifyOrderId: String(payload.id),
                    shopDomain: shopDomain,
                    revision: payload.updatedAt,
                    shippingPoint: .init(payload.shippingAddress),
                    billingPoint: .init(payload.billingAddress),
                    items: shipped.map(OrderConfirmed.Item.init)
                ),
                traceparent: traceparent
            )
        ]
    }
}
