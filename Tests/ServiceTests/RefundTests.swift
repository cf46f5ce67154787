import Foundation
import Hummingbird
import Postgres
import ServiceKit
import TestSupport
import Testing

@testable import OrderService

/// Refunds of a prepaid order split between two vendors, as Shopify sends them: each through
/// refunds/create (retried), and then again in the `refunds` of an orders/updated. Money is
/// counted once, restocked units go back once, a cancellation afterwards returns nothing
/// twice, and the order refunded in full is not `paid`.
@Suite struct RefundTests {
    @Test func refundsCountOnceRestockOnceAndAFullyRefundedOrderIsRefunded() async throws {
        let chain = TwoVendorChain(inventoryPort: 28433, deliveryPort: 28434, orderPort: 28435)
        let (inventory, client) = (chain.inventory, chain.client)
        let (a, b, v1, v2) = (chain.skus.a, chain.skus.b, chain.vendors.v1, chain.vendors.v2)
        var sample = chain.sample
        sample.financialStatus = "paid"
        sample.gateway = "visa"
        let orderPool = TestStack.test.pool(.order, size: 1, name: uniqueName("refunds"))
        func payment() async -> OrderView.Payment? { try? await client.order(sample.shopifyOrderId).view?.payment }
        func processed(_ body: Data) async -> Int? {
            try? await orderPool.query(
                "SELECT count(*)::int AS n FROM webhook_deliveries WHERE payload_sha256 = sha256(\(body)) AND status = 'processed'"
            ).scalar("n", as: Int.self)
        }
        try await chain.run {
            #expect(try await client.deliver(try sample.body()).status == 200)
            #expect(await eventually { (try? await client.order(sample.shopifyOrderId).view?.sellerOrders.count) == 2 })
            #expect(try await inventory.quantity(sku: a, vendor: v1) == 4)
            #expect(try await inventory.quantity(sku: b, vendor: v2) == 4)

            // The customer sends the first line back: 199.00 refunded, its unit restocked.
            let first = SampleRefund(
                orderId: sample.shopifyOrderId,
                lines: [(SampleOrder.lineItemIds[0], 1, "return")],
                amount: "199.00"
            )
            // First seen with its transaction still pending: no money given back yet.
            var pending = first
            pending.status = "pending"
            let pendingBody = try pending.body()
            #expect(try await client.deliver(pendingBody, topic: "refunds/create").status == 200)
            #expect(await eventually { await processed(pendingBody) == 1 })
            #expect(await payment()?.refundedAmount == "0.00")
            let firstBody = try first.body()
            for _ in 0..<2 { #expect(try await client.deliver(firstBody, topic: "refunds/create").status == 200) }
            #expect(await eventually { await processed(firstBody) == 2 })
            #expect(await eventually { (try? await inventory.quantity(sku: a, vendor: v1)) == 5 }, "the returned unit is back")
            var paid = try #require(await payment())
            #expect(paid.refundedAmount == "199.00", "refunded once")
            #expect(paid.totalAmount == "189.00")
            #expect(paid.collectedAmount == "189.00")
            #expect(paid.remainingAmount == "0.00")
            #expect(paid.status == "partially_refunded")

            // Shopify's orders/updated lists the same refund with its own figures.
            let updated = try sample.body(with: [
                "updated_at": "2023-06-07T10:00:00Z", "financial_status": "partially_refunded", "current_total_price": "189.00",
                "total_outstanding": "0.00", "refunds": [try first.object()],
            ])
            #expect(try await client.deliver(updated, topic: "orders/updated").status == 200)
            #expect(await eventually { await processed(updated) == 1 })
            paid = try #require(await payment())
            #expect(paid.refundedAmount == "199.00", "not counted twice")
            #expect(paid.status == "partially_refunded")
            #expect(try await inventory.quantity(sku: a, vendor: v1) == 5, "not restocked twice")

            // The rest is refunded and the second line called off before it ships.
            let second = SampleRefund(
                orderId: sample.shopifyOrderId,
                lines: [(SampleOrder.lineItemIds[1], 1, "cancel")],
                amount: "189.00"
            )
            #expect(try await client.deliver(try second.body(), topic: "refunds/create").status == 200)
            #expect(await eventually { (try? await inventory.quantity(sku: b, vendor: v2)) == 5 })
            #expect(await eventually { await payment()?.status == "refunded" }, "refunded in full, not paid")
            paid = try #require(await payment())
            #expect(paid.refundedAmount == "388.00")
            #expect(paid.collectedAmount == "0.00")
            #expect(paid.totalAmount == "0.00")

            // The order is then cancelled: nothing comes back a second time.
            let cancelled = try sample.body(with: [
                "updated_at": "2023-06-08T10:00:00Z", "financial_status": "refunded", "current_total_price": "0.00",
                "total_outstanding": "0.00", "refunds": [try first.object(), try second.object()],
            ])
            #expect(try await client.deliver(cancelled, topic: "orders/cancelled").status == 200)
            #expect(await eventually { (try? await client.order(sample.shopifyOrderId).view?.status) == "cancelled" })
            let inventoryPool = TestStack.test.pool(.inventory, size: 1, name: uniqueName("refunds"))
            #expect(
                await eventually {
                    (try? await inventoryPool.query(
                        "SELECT status FROM allocations WHERE shopify_order_id = \(String(sample.shopifyOrderId))"
                    ).scalar("status", as: String.self)) == "released"
                }
            )
            await inventoryPool.close()
            #expect(try await inventory.quantity(sku: a, vendor: v1) == 5)
            #expect(try await inventory.quantity(sku: b, vendor: v2) == 5)
            paid = try #require(await payment())
            #expect(paid.refundedAmount == "388.00")
            #expect(paid.status == "refunded")
            let refunds = try await orderPool.query(
                """
                SELECT count(*)::int AS n FROM outbox
                WHERE routing_key = 'order.refunded' AND (payload::jsonb)->>'shopifyOrderId' = \(String(sample.shopifyOrderId))
                """
            ).scalar("n", as: Int.self)
            #expect(refunds == 2, "one announcement per refund")
        }
        await orderPool.close()
    }

    @Test func shopifysSampleRefundIsReadExactly() throws {
        let refund = try ShopifyRefund.decode(Fixtures.data("shopify/refunds-create.json"))
        #expect(refund.id == 890_088_186_047_892_319)
        #expect(refund.orderId == 820_982_911_946_154_508)
        #expect(refund.amount == Decimal(string: "85.00"), "its two refund transactions")
        #expect(refund.refundLineItems?.count == 5)
        #expect(refund.restocked.isEmpty, "no_restock: nothing returns to stock")
        #expect(refund.refusal == nil)
    }

    @Test func restockedUnitsAddUpPerLineAndOnlyRestockingTypesCount() throws {
        let refund = ShopifyRefund(
            id: 1,
            orderId: 2,
            refundLineItems: [
                .init(lineItemId: 10, quantity: 1, restockType: "return"), .init(lineItemId: 11, quantity: 2, restockType: "no_restock"),
                .init(lineItemId: 10, quantity: 2, restockType: "cancel"), .init(lineItemId: 12, quantity: 1, restockType: "legacy_restock"),
            ],
            transactions: [
                .init(kind: "refund", status: "success", amount: "10.10"), .init(kind: "refund", status: "failure", amount: "99.00"),
                .init(kind: "sale", status: "success", amount: "5.00"), .init(kind: "refund", status: "success", amount: "0.20"),
            ]
        )
        #expect(refund.restocked.map(\.lineItemId) == [10, 12])
        #expect(refund.restocked.map(\.quantity) == [3, 1])
        #expect(refund.amount == Decimal(string: "10.30"), "successful refund transactions only, exactly")
        var absurd = refund
        absurd.refundLineItems = [.init(lineItemId: 10, quantity: 0, restockType: "return")]
        #expect(absurd.refusal != nil)
        absurd = refund
        absurd.transactions = [.init(kind: "refund", status: "success", amount: "-1.00")]
        #expect(absurd.refusal != nil)
    }
}
