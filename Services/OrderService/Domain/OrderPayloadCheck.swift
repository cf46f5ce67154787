import Common
import Foundation

/// Whether an order payload can become a correct order, decided before anything is stored
/// from it: a payload refused here is marked failed with the reason, sends nothing and takes
/// no stock, rather than being accepted and then stuck downstream.
enum OrderPayloadCheck {
    /// No shop sells more of one line; far above any real order, far below the database's integer.
    static let maxQuantity = 100_000
    /// Amounts beyond this are not prices (the database keeps up to 10^16).
    static let maxAmount = Decimal(1_000_000_000_000)

    /// The first reason `order` cannot be processed, or nil.
    static func refusal(_ order: ShopifyOrderWebhook) -> String? {
        guard !order.lineItems.isEmpty else { return "order has no line items" }
        var seen: Set<Int64> = []
        for item in order.lineItems {
            guard seen.insert(item.id).inserted else { return "line item \(item.id) appears more than once" }
            guard item.quantity > 0 else { return "line item \(item.id) has quantity \(item.quantity)" }
            guard item.quantity <= maxQuantity else {
                return "line item \(item.id) has quantity \(item.quantity), more than \(maxQuantity)"
            }
            guard let price = Money.parse(item.price), price >= 0, price <= maxAmount else {
                return "line item \(item.id) price is not an amount between 0 and \(maxAmount)"
            }
        }
        // A set cancelled_at cancels the order, so it must be a time (Shopify sends null otherwise).
        if order.cancelledAt != nil, order.cancelledDate == nil {
            return "cancelled_at is not an ISO 8601 time"
        }
        guard let total = Money.parse(order.totalPrice), total >= 0, total <= maxAmount else {
            return "total_price is not an amount between 0 and \(maxAmount)"
        }
        // Every other amount the order is stored with: present ones must be amounts in range
        // (total_outstanding is clamped to 0…total where it is read, so it is not checked here).
        let others: [(String, String?)] =
            [
                ("current_total_price", order.currentTotalPrice),
                ("total_line_items_price", order.totalLineItemsPrice), ("total_discounts", order.totalDiscounts),
                ("total_shipping_price_set", order.totalShippingPriceSet?.shopMoney.amount),
            ] + (order.shippingLines ?? []).enumerated().map { ("shipping_lines[\($0.offset)].price", $0.element.price) }
        for (field, text) in others {
            guard let text else { continue }
            guard let amount = Money.parse(text), amount >= 0, amount <= maxAmount else {
                return "\(field) is not an amount between 0 and \(maxAmount)"
            }
        }
        let lines = order.lineItems.reduce(Decimal(0)) { $0 + (Money.parse($1.price) ?? 0) * Decimal($1.quantity) }
        guard lines <= maxAmount else { return "the line items add up to more than \(maxAmount)" }
        return nil
    }
}
