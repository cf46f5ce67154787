import Foundation
import Hummingbird
import Postgres
import ServiceKit
import TestSupport
import Testing

@testable import OrderService

/// A cancellation after one of two shipments was delivered: the delivered units stay with the
/// customer, the other seller order is cancelled, its stock returns once, its shipment is
/// cancelled, and its vendor is told (`seller_order.cancelled`).
@Suite struct CancellationTests {
    @Test func aCancellationAfterOneOfTwoShipmentsReturnsOnlyWhatWasNotDelivered() async throws {
        let chain = TwoVendorChain(inventoryPort: 28424, deliveryPort: 28425, orderPort: 28426)
        let (inventory, delivery, client, sample) = (chain.inventory, chain.delivery, chain.client, chain.sample)
        let (a, b, v1, v2) = (chain.skus.a, chain.skus.b, chain.vendors.v1, chain.vendors.v2)
        let orderPool = TestStack.test.pool(.order, size: 1, name: uniqueName("cancellation"))
        try await chain.run {
            let splits = try await chain.placeTwoVendorOrder()
            #expect(try await inventory.quantity(sku: a, vendor: v1) == 4)
            #expect(try await inventory.quantity(sku: b, vendor: v2) == 4)

            // The first shipment is delivered and settled.
            #expect(
                try await delivery.webhook(awb: uniqueName("awb"), orderId: splits[0], status: 7, at: "05 06 2023 10:00:00").status
                    == 200
            )
            #expect(
                await eventually {
                    (try? await client.order(sample.shopifyOrderId).view?.sellerOrders.map(\.status)) == ["delivered", "assigned"]
                }
            )

            // Then the order is cancelled, twice (Shopify retries).
            var cancelled = sample
            cancelled.updatedAt = "2023-06-06T10:00:00Z"
            for _ in 0..<2 {
                #expect(try await client.deliver(try cancelled.body(), topic: "orders/cancelled").status == 200)
            }
            #expect(await eventually { (try? await inventory.quantity(sku: b, vendor: v2)) == 5 }, "the undelivered unit is back")
            #expect(await eventually { await delivery.status(splits[1]) == "cancelled" }, "its shipment is cancelled")
            let view = try #require(try await client.order(sample.shopifyOrderId).view)
            #expect(view.status == "cancelled")
            #expect(view.sellerOrders.map(\.status) == ["delivered", "cancelled"])
            #expect(try await inventory.quantity(sku: a, vendor: v1) == 4, "the delivered unit stays with the customer")
            #expect(await delivery.status(splits[0]) == "delivered")
            // Both cancellations processed before the outbox is read: the second
            // announced nothing (so returned no stock twice).
            #expect(
                await eventually {
                    (try? await orderPool.query(
                        """
                        SELECT count(*)::int AS n FROM webhook_deliveries
                        WHERE payload_sha256 = sha256(\(try cancelled.body())) AND topic = 'orders/cancelled' AND status = 'processed'
                        """
                    ).scalar("n", as: Int.self)) == 2
                }
            )
            let announced = try await orderPool.query(
                """
                SELECT routing_key, (payload::jsonb)->>'splitOrderId' AS split FROM outbox
                WHERE routing_key IN ('order.cancelled', 'seller_order.cancelled')
                  AND (payload::jsonb)->>'shopifyOrderId' = \(String(sample.shopifyOrderId))
                ORDER BY id
                """
            ).map { "\(try $0.decode("routing_key", as: String.self)) \(try $0.decode("split", as: String?.self) ?? "-")" }
            #expect(announced == ["order.cancelled -", "seller_order.cancelled \(splits[1])"], "announced once each")
        }
        await orderPool.close()
    }
}

extension CancellationTests {
    /// Cancelled while one parcel was with its courier, which delivers it anyway: the
    /// shipment was not called off, the cash its courier collected counts, once, and the unit
    /// the cancellation put back on the shelf comes off it again.
    @Test func aSellerOrderCancelledAfterPickupAndDeliveredAnywayCountsItsCash() async throws {
        let chain = TwoVendorChain(inventoryPort: 28449, deliveryPort: 28454, orderPort: 28455)
        let (inventory, delivery, client, sample) = (chain.inventory, chain.delivery, chain.client, chain.sample)
        let (a, b, v1, v2) = (chain.skus.a, chain.skus.b, chain.vendors.v1, chain.vendors.v2)
        let inventoryPool = TestStack.test.pool(.inventory, size: 1, name: uniqueName("cancellation"))
        func view() async -> OrderView? { try? await client.order(sample.shopifyOrderId).view }
        try await chain.run {
            let splits = try await chain.placeTwoVendorOrder()
            let awb = uniqueName("awb")
            #expect(try await delivery.webhook(awb: awb, orderId: splits[1], status: 42, at: "05 06 2023 10:00:00").status == 200)
            #expect(await eventually { await delivery.status(splits[1]) == "picked_up" })

            var cancelled = sample
            cancelled.updatedAt = "2023-06-06T10:00:00Z"
            #expect(try await client.deliver(try cancelled.body(), topic: "orders/cancelled").status == 200)
            #expect(await eventually { await delivery.status(splits[0]) == "cancelled" })
            #expect(await delivery.status(splits[1]) == "picked_up", "the courier has it")
            // The cancellation gave both units back: neither parcel was delivered yet.
            #expect(await eventually { (try? await inventory.quantity(sku: b, vendor: v2)) == 5 })
            #expect(try await inventory.quantity(sku: a, vendor: v1) == 5)

            // Delivered anyway, and Shiprocket repeats itself.
            for time in ["07 06 2023 10:00:00", "07 06 2023 10:00:00", "07 06 2023 10:05:00"] {
                _ = try await delivery.webhook(awb: awb, orderId: splits[1], status: 7, at: time)
            }
            #expect(await eventually { await view()?.sellerOrders.map(\.status) == ["cancelled", "delivered"] })
            #expect(await eventually { await delivery.processedWebhooks(splits[1]) == 3 })
            let order = try #require(await view())
            #expect(order.status == "cancelled")
            #expect(order.payment.collectedAmount == "194.00", "its courier's cash, once")
            // The delivered unit is with the customer: it comes off the shelf again, once.
            #expect(await eventually { (try? await inventory.quantity(sku: b, vendor: v2)) == 4 }, "taken back")
            #expect(try await inventory.quantity(sku: a, vendor: v1) == 5, "the parcel never sent stays on the shelf")

            // A refund that restocks the delivered unit puts nothing back: it is the customer's.
            let refund = SampleRefund(orderId: sample.shopifyOrderId, lines: [(SampleOrder.lineItemIds[1], 1, "cancel")], amount: "0.00")
            #expect(try await client.deliver(try refund.body(), topic: "refunds/create").status == 200)
            #expect(
                await eventually {
                    (try? await inventoryPool.query("SELECT 1 AS one FROM restocks WHERE refund_id = \(String(refund.id))").isEmpty) == false
                },
                "InventoryService handled the refund"
            )
            #expect(try await inventory.quantity(sku: b, vendor: v2) == 4)
        }
        await inventoryPool.close()
    }
}
