import Common
import Foundation

/// How an order is paid and how much of it is collected: pure, from the order payload.
struct PaymentSummary: Sendable, Equatable {
    enum Method: String, Sendable { case prepaid, cod, partial }
    enum Status: String, Sendable {
        case paid, unpaid
        case partiallyPaid = "partially_paid"
    }

    var method: Method
    var status: Status
    var gateway: String?
    var totalProductAmount: Decimal
    var shippingAmount: Decimal
    var discountAmount: Decimal
    var totalAmount: Decimal
    var collectedAmount: Decimal
    var remainingAmount: Decimal

    /// Throws `OrderPayloadError` when an amount is missing or not a decimal.
    init(order: ShopifyOrderWebhook) throws {
        guard let total = Money.parse(order.totalPrice), total >= 0 else {
            throw OrderPayloadError("total_price is not a decimal amount")
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
        collectedAmount = method == .cod && financial != "paid" ? 0 : total - outstanding
        remainingAmount = total - collectedAmount
        status = Self.status(collected: collectedAmount, remaining: remainingAmount)
    }

    /// The payment once what couriers collected on delivery is counted: Shopify's later
    /// payloads update what was paid online, never what was collected here. `advance` is what
    /// had been paid online when the order was split (the part no courier collects). The
    /// larger of Shopify's figure and advance + cash counts, so cash a merchant also records
    /// in Shopify is not counted twice.
    func adding(cashCollected cash: Decimal, advance: Decimal = 0) -> PaymentSummary {
        var payment = self
        payment.collectedAmount = min(totalAmount, max(collectedAmount, advance + cash))
        payment.remainingAmount = totalAmount - payment.collectedAmount
        payment.status = Self.status(collected: payment.collectedAmount, remaining: payment.remainingAmount)
        return payment
    }

    static func status(collected: Decimal, remaining: Decimal) -> Status {
        remaining == 0 ? .paid : collected == 0 ? .unpaid : .partiallyPaid
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
