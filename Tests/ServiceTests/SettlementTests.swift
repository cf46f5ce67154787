import Foundation
import Hummingbird
import Postgres
import ServiceKit
import TestSupport
import Testing

@testable import OrderService

/// The whole chain: a Shopify COD order, allocated to two vendors, delivered in parts through
/// Shiprocket webhooks, settled once per shipment, paid in full when the last one arrives.
@Suite struct SettlementTests {
    @Test func aCODOrderDeliveredInPartsIsSettledOncePerShipmentAndPaidInFull() async throws {
        let chain = TwoVendorChain(inventoryPort: 28421, deliveryPort: 28422, orderPort: 28423)
        let (delivery, client, sample) = (chain.delivery, chain.client, chain.sample)
        let deliveryPool = TestStack.test.pool(.delivery, size: 1, name: uniqueName("settlement"))
        let orderPool = TestStack.test.pool(.order, size: 1, name: uniqueName("settlement"))
        try await chain.run {
            let splits = try await chain.placeTwoVendorOrder()

            // The first shipment arrives; Shiprocket then repeats itself.
            #expect(
                try await delivery.webhook(awb: uniqueName("awb"), orderId: splits[0], status: 7, at: "05 06 2023 10:00:00").status == 200
            )
            #expect(await eventually { (try? await client.order(sample.shopifyOrderId).view?.payment.collectedAmount) == "194.00" })
            for time in ["05 06 2023 10:00:00", "05 06 2023 10:05:00"] {
                _ = try await delivery.webhook(awb: nil, orderId: splits[0], status: 7, at: time)
            }
            // Both repeats processed; a second settlement would have been announced in the
            // same transaction.
            #expect(await eventually { await delivery.processedWebhooks(splits[0]) == 3 })
            #expect(try await delivery.announcements(splits[0], pool: deliveryPool) == 1, "announced once")
            var view = try #require(try await client.order(sample.shopifyOrderId).view)
            #expect(view.payment.collectedAmount == "194.00", "settled once")
            #expect(view.payment.remainingAmount == "194.00")
            #expect(view.payment.status == "partially_paid")
            #expect(view.sellerOrders.map(\.status) == ["delivered", "assigned"])
            #expect(view.status == "allocated")

            // The second shipment arrives: the order is delivered and paid.
            #expect(
                try await delivery.webhook(awb: uniqueName("awb"), orderId: splits[1], status: 7, at: "06 06 2023 09:00:00").status == 200
            )
            #expect(await eventually { (try? await client.order(sample.shopifyOrderId).view?.status) == "delivered" })
            view = try #require(try await client.order(sample.shopifyOrderId).view)
            #expect(view.payment.status == "paid")
            #expect(view.payment.collectedAmount == "388.00")
            #expect(view.payment.remainingAmount == "0.00")
            #expect(view.sellerOrders.map(\.status) == ["delivered", "delivered"])

            // Shopify then sends orders/updated (a tag, a note): the merchant has not
            // marked the order paid, so it still says pending. What the couriers
            // collected stays collected.
            var later = sample
            later.updatedAt = "2023-06-07T10:00:00Z"
            let webhookId = UUID().uuidString
            #expect(try await client.deliver(try later.body(), topic: "orders/updated", webhookId: webhookId).status == 200)
            #expect(
                await eventually {
                    (try? await orderPool.query("SELECT status FROM webhook_deliveries WHERE webhook_id = \(webhookId)")
                        .scalar("status", as: String.self)) == "processed"
                }
            )
            view = try #require(try await client.order(sample.shopifyOrderId).view)
            #expect(view.payment.status == "paid", "not back to unpaid")
            #expect(view.payment.collectedAmount == "388.00")
            #expect(view.payment.remainingAmount == "0.00")
            #expect(view.status == "delivered")
        }
        await deliveryPool.close()
        await orderPool.close()
    }
}
