import Foundation
import ServiceKit
import TestSupport
import Testing

@testable import OrderService

@Suite struct PaymentSummaryTests {
    func order(_ changes: [String: Any]) throws -> ShopifyOrderWebhook {
        var json = try JSONSerialization.jsonObject(with: Fixtures.data("shopify/orders-create.json")) as! [String: Any]
        for (key, value) in changes { json[key] = value }
        // Shopify's sample states a total of 388.00 but a current total of 398.00; the current
        // total counts, so it follows total_price unless a test sets it.
        if changes["current_total_price"] == nil { json["current_total_price"] = json["total_price"] }
        return try ShopifyOrderWebhook.decode(JSONSerialization.data(withJSONObject: json))
    }

    @Test func theSampleOrderKeepsItsExactAmounts() throws {
        let payment = try PaymentSummary(order: order([:]))
        #expect(payment.totalProductAmount == Decimal(string: "398.00"))
        #expect(payment.shippingAmount == Decimal(string: "10.00"))
        #expect(payment.discountAmount == Decimal(string: "20.00"))
        #expect(payment.totalAmount == Decimal(string: "388.00"))
        #expect(payment.method == .prepaid)
        #expect(payment.gateway == "visa")
    }

    @Test func paidPrepaidOrderIsFullyCollected() throws {
        let payment = try PaymentSummary(order: order(["financial_status": "paid", "total_outstanding": "0.00"]))
        #expect(payment.method == .prepaid)
        #expect(payment.status == .paid)
        #expect(payment.collectedAmount == Decimal(string: "388.00"))
        #expect(payment.remainingAmount == 0)
    }

    @Test func cashOnDeliveryStaysUnpaidUntilDelivered() throws {
        let payment = try PaymentSummary(
            order: order([
                "payment_gateway_names": ["Cash on Delivery (COD)"], "financial_status": "pending", "total_outstanding": "388.00",
            ])
        )
        #expect(payment.method == .cod)
        #expect(payment.status == .unpaid)
        #expect(payment.collectedAmount == 0)
        #expect(payment.remainingAmount == Decimal(string: "388.00"))
    }

    @Test func partiallyPaidOrderSplitsCollectedAndRemaining() throws {
        let payment = try PaymentSummary(
            order: order([
                "financial_status": "partially_paid", "total_outstanding": "150.35", "total_price": "388.10",
            ])
        )
        #expect(payment.method == .partial)
        #expect(payment.status == .partiallyPaid)
        #expect(payment.collectedAmount == Decimal(string: "237.75"))
        #expect(payment.remainingAmount == Decimal(string: "150.35"))
        #expect(payment.collectedAmount + payment.remainingAmount == payment.totalAmount)
    }

    @Test func anAdvancePaidOnlineWithTheRestInCashIsPartialWithTheAdvanceCollected() throws {
        let payment = try PaymentSummary(
            order: order([
                "financial_status": "partially_paid", "gateway": "shopify_payments",
                "payment_gateway_names": ["shopify_payments", "Cash on Delivery (COD)"],
                "total_price": "990.00", "total_outstanding": "600.00",
            ])
        )
        #expect(payment.method == .partial)
        #expect(payment.status == .partiallyPaid)
        #expect(payment.collectedAmount == Decimal(string: "390.00"))
        #expect(payment.remainingAmount == Decimal(string: "600.00"))
    }

    @Test func cashCollectedOnDeliveryCountsWhateverShopifyLaterSays() throws {
        let pending = try PaymentSummary(
            order: order([
                "payment_gateway_names": ["Cash on Delivery (COD)"], "financial_status": "pending", "total_outstanding": "388.00",
            ])
        )
        let delivered = pending.adding(cashCollected: Decimal(string: "388.00")!)
        #expect(delivered.collectedAmount == Decimal(string: "388.00"))
        #expect(delivered.remainingAmount == 0)
        #expect(delivered.status == .paid)
        let half = pending.adding(cashCollected: Decimal(string: "194.00")!)
        #expect(half.status == .partiallyPaid)
        #expect(half.remainingAmount == Decimal(string: "194.00"))
        // The merchant also records the first shipment's cash in Shopify: not counted twice.
        let recorded = try PaymentSummary(
            order: order([
                "payment_gateway_names": ["Cash on Delivery (COD)"], "financial_status": "partially_paid", "total_outstanding": "194.00",
            ])
        )
        #expect(recorded.adding(cashCollected: Decimal(string: "194.00")!).collectedAmount == Decimal(string: "194.00"))
        // An advance paid online before the split, and the courier's cash on top of it.
        let advanced = try PaymentSummary(
            order: order([
                "payment_gateway_names": ["shopify_payments", "Cash on Delivery (COD)"], "financial_status": "partially_paid",
                "total_outstanding": "288.00",
            ])
        )
        let settled = advanced.adding(cashCollected: Decimal(string: "288.00")!, advance: Decimal(string: "100.00")!)
        #expect(settled.collectedAmount == Decimal(string: "388.00"))
        #expect(settled.status == .paid)
        // Marked paid in Shopify too: never more than the total.
        let paid = try PaymentSummary(order: order(["financial_status": "paid"])).adding(cashCollected: Decimal(string: "388.00")!)
        #expect(paid.collectedAmount == Decimal(string: "388.00"))
    }

    @Test func amountsAreDecimalNotBinaryFloatingPoint() throws {
        // 0.1 + 0.2 is not 0.3 in Double; it must be here.
        let payment = try PaymentSummary(
            order: order([
                "total_price": "0.3", "financial_status": "partially_paid", "total_outstanding": "0.2",
            ])
        )
        #expect(payment.collectedAmount == Decimal(string: "0.1"))
        #expect(Money.format(payment.collectedAmount) == "0.10")
    }

    @Test func malformedAmountsAreRefused() throws {
        #expect(throws: OrderPayloadError.self) { try PaymentSummary(order: order(["total_price": "12,50"])) }
        #expect(throws: OrderPayloadError.self) { try PaymentSummary(order: order(["total_price": "1e3"])) }
        #expect(Money.parse("199.00") == Decimal(199))
        #expect(Money.parse("abc") == nil)
        #expect(Money.format(Decimal(string: "1234567890123.5")!) == "1234567890123.50")
    }

    @Test func ordersThatCanNeverBeProcessedAreRecognised() throws {
        var json = try JSONSerialization.jsonObject(with: Fixtures.data("shopify/orders-create.json")) as! [String: Any]
        json["line_items"] = []
        #expect(throws: PermanentWebhookError.self) {
            try OrderWebhookHandler.parse(JSONSerialization.data(withJSONObject: json))
        }
        #expect(throws: PermanentWebhookError.self) { try OrderWebhookHandler.parse(Data(#"{"id": "x"}"#.utf8)) }
        let order = try OrderWebhookHandler.parse(Fixtures.data("shopify/orders-create.json"))
        #expect(order.id == 820_982_911_946_154_508, "ids above 2^53 stay exact")
    }

    @Test func theCurrentTotalCountsAfterEditsAndRefunds() throws {
        let payment = try PaymentSummary(
            order: order([
                "total_price": "388.00", "current_total_price": "189.00", "financial_status": "partially_refunded", "total_outstanding": "0.00",
            ])
        )
        #expect(payment.totalAmount == Decimal(string: "189.00"))
        #expect(payment.collectedAmount == Decimal(string: "189.00"))
        #expect(payment.remainingAmount == 0)
    }

    @Test func refundsInTheOrderAreCountedAndAFullyRefundedOrderIsNotPaid() throws {
        let refund: [String: Any] = [
            "id": 890_088_186_047_892_319,
            "transactions": [
                ["kind": "refund", "status": "success", "amount": "100.00"], ["kind": "refund", "status": "failure", "amount": "50.00"],
            ],
        ]
        let partly = try PaymentSummary(
            order: order([
                "financial_status": "partially_refunded", "current_total_price": "288.00", "total_outstanding": "0.00",
                "refunds": [refund],
            ])
        )
        #expect(partly.refundedAmount == Decimal(string: "100.00"), "successful refund transactions only")
        #expect(partly.collectedAmount == Decimal(string: "288.00"))
        #expect(partly.status == .partiallyRefunded)
        let whole = try PaymentSummary(
            order: order([
                "financial_status": "refunded", "current_total_price": "0.00", "total_outstanding": "0.00",
                "refunds": [["id": 1, "transactions": [["kind": "refund", "status": "success", "amount": "388.00"]]]],
            ])
        )
        #expect(whole.status == .refunded)
        #expect(whole.collectedAmount == 0)
        #expect(whole.remainingAmount == 0)
        // What this side recorded counts when the payload does not list the refund yet.
        #expect(try PaymentSummary(order: order(["financial_status": "paid"])).adding(cashCollected: 0, refunded: 5).status == .partiallyRefunded)
    }

    @Test func aCODOrderPaidOnlineLaterIsCollectedInFull() throws {
        let payment = try PaymentSummary(
            order: order([
                "payment_gateway_names": ["Cash on Delivery (COD)", "shopify_payments"], "financial_status": "paid", "total_outstanding": "0.00",
            ])
        )
        #expect(payment.method == .cod)
        #expect(payment.status == .paid)
        #expect(payment.collectedAmount == Decimal(string: "388.00"))
        // An advance partly refunded before the couriers arrive: they collect the same.
        let advanced = try PaymentSummary(
            order: order([
                "payment_gateway_names": ["shopify_payments", "Cash on Delivery (COD)"], "financial_status": "partially_paid",
                "current_total_price": "890.00", "total_outstanding": "600.00",
            ])
        ).adding(cashCollected: 0, advance: Decimal(string: "290.00")!)
        #expect(advanced.collectedAmount == Decimal(string: "290.00"))
        #expect(advanced.remainingAmount == Decimal(string: "600.00"))
    }

    @Test func statusPutsWhatIsOwedFirst() {
        #expect(PaymentSummary.status(collected: 0, remaining: 10, refunded: 5) == .unpaid)
        #expect(PaymentSummary.status(collected: 1, remaining: 10, refunded: 5) == .partiallyPaid)
        #expect(PaymentSummary.status(collected: 0, remaining: 0) == .paid, "a free order")
        #expect(PaymentSummary.status(collected: 0, remaining: 0, refunded: 5) == .refunded)
        #expect(PaymentSummary.status(collected: 1, remaining: 0, refunded: 5) == .partiallyRefunded)
    }
}
