import Common
import Foundation

/// How an order is paid and how much of it is collected: pure, from the order payload.
struct PaymentSummary: Sendable, Equatable {
    enum Method: String, Sendable { case prepaid, cod, partial }
    enum Status: String, Sendable {
        case paid, unpaid, refunded
        case partiallyPaid = "partially_paid"
        case partiallyRefunded = "partially_refunded"
    }

    var method: Method
    var status: Status
    var gateway: String?
    var totalProductAmount: Decimal
    var shippingAmount: Decimal
    var discountAmount: Decimal
    /// What the order is worth as it stands (Shopify's current total: after edits, returns and
    /// refunds).
    var totalAmount: Decimal
    /// What the customer has paid towards `totalAmount` and not been given back.
    var collectedAmount: Decimal
    var remainingAmount: Decimal
    /// What was given back (refunds' successful transactions); kept apart from the figures above.
    var refundedAmount: Decimal = 0

    /// Throws `OrderPayloadError` when an amount is missing or not a decimal.
    init(order: ShopifyOrderWebhook) throws {
        guard let total = Money.parse(order.currentTotalPrice ?? order.totalPrice), total >= 0 else {
            throw OrderPayloadError("\(order.currentTotalPrice == nil ? "total_price" : "current_total_price") is not a decimal amount")
        }
        let lines = try order.lineItems.reduce(Decimal(0)) { sum, item in
            guard let price = Money.parse(item.price) else { throw OrderPayloadError("line item \(item.id) price is not a decimal amount") }
            return sum + price * Decimal(item.quantity)
        }
        totalProductAmount = Money.parse(order.totalLineItemsPrice) ?? lines
        discountAmount = Money.parse(order.totalDiscounts) ?? 0
        shippingAmount =
            Money.parse(order.totalShippingPriceSet?.shopMoney.amount)
            ?? (order.shippingLines ?? []).compactMap { Money.parse($0.price) }.reduce(0, +)
        totalAmount = total

        let gateways = ([order.gateway] + (order.paymentGatewayNames ?? []).map(Optional.some)).compactMap { $0 }
        gateway = gateways.first
        let financial = order.financialStatus?.lowercased() ?? ""
        // Partly paid first: an advance paid online with the rest in cash on delivery (gateways
        // ["shopify_payments", "Cash on Delivery (COD)"]) is partial, the advance collected.
        if financial == "partially_paid" {
            method = .partial
        } else if gateways.contains(where: Self.isCashOnDelivery) {
            method = .cod
        } else {
            method = .prepaid
        }

        // What Shopify still expects to collect; without it, the financial status decides.
        let outstanding: Decimal
        if financial == "paid" {
            outstanding = 0
        } else if let reported = Money.parse(order.totalOutstanding) {
            outstanding = min(max(reported, 0), total)
        } else {
            outstanding = ["paid", "partially_refunded", "refunded"].contains(financial) ? 0 : total
        }
        let codPending = method == .cod && !["paid", "partially_refunded", "refunded"].contains(financial)
        collectedAmount = codPending ? 0 : total - outstanding
        remainingAmount = total - collectedAmount
        refundedAmount = (order.refunds ?? []).reduce(0) { $0 + $1.amount }
        status = Self.status(collected: collectedAmount, remaining: remainingAmount, refunded: refundedAmount)
    }

    /// The payment once what couriers collected on delivery is counted: Shopify's later
    /// payloads update what was paid online, never what was collected here. `advance` is what
    /// had been paid online when the order was split (the part no courier collects), less
    /// what was refunded since. The larger of Shopify's figure and advance + cash counts, so
    /// cash a merchant also records in Shopify is not counted twice.
    /// `refunded`, when given, is what was refunded as recorded here (refunds/create can
    /// precede the order payload that lists the refund).
    func adding(cashCollected cash: Decimal, advance: Decimal = 0, refunded: Decimal? = nil) -> PaymentSummary {
        var payment = self
        if let refunded { payment.refundedAmount = refunded }
        payment.collectedAmount = min(totalAmount, max(collectedAmount, advance + cash))
        payment.remainingAmount = totalAmount - payment.collectedAmount
        payment.status = Self.status(collected: payment.collectedAmount, remaining: payment.remainingAmount, refunded: payment.refundedAmount)
        return payment
    }

    /// What the customer still owes comes first; a settled order with money given back is
    /// (partially) refunded, and refunded in full when nothing paid is kept.
    static func status(collected: Decimal, remaining: Decimal, refunded: Decimal = 0) -> Status {
        if remaining > 0 { return collected == 0 ? .unpaid : .partiallyPaid }
        guard refunded > 0 else { return .paid }
        return collected == 0 ? .refunded : .partiallyRefunded
    }

    static func isCashOnDelivery(_ gateway: String) -> Bool {
        let name = gateway.lowercased()
        return name.contains("cash on delivery") || name == "cod" || name.contains("(cod)")
    }
}

/// An order payload that can never be processed as it is (missing or malformed fields).
struct OrderPayloadError: Error, CustomStringConvertible, Sendable {
    let description: String
    init(_ description: String) { self.description = description }
}
