import Foundation
import Hummingbird
import Postgres
import ServiceKit
import TestSupport
import Testing

@testable import DeliveryService
@testable import OrderService

/// A payment that changes after the split reaches the seller orders: a COD order paid online
/// later tells both couriers to collect nothing, once, however often Shopify says so.
@Suite struct PaymentChangeTests {
    @Test func aCODOrderPaidOnlineAfterItsSplitTellsItsCouriersToCollectNothing() async throws {
        let chain = TwoVendorChain(inventoryPort: 28427, deliveryPort: 28428, orderPort: 28429)
        let (delivery, client, sample) = (chain.delivery, chain.client, chain.sample)
        let orderPool = TestStack.test.pool(.order, size: 1, name: uniqueName("payment-change"))
        func collect(_ split: String) async -> String? { (try? await delivery.deliveries(splitOrderId: split))?.first?.collectAmount }
        try await chain.run {
            #expect(try await client.deliver(try sample.body()).status == 200)
            #expect(await eventually { (try? await client.order(sample.shopifyOrderId).view?.sellerOrders.count) == 2 })
            var view = try #require(try await client.order(sample.shopifyOrderId).view)
            let splits = view.sellerOrders.map(\.splitOrderId)
            #expect(view.sellerOrders.map(\.collectAmount) == ["194.00", "194.00"])
            for split in splits { #expect(await eventually { await collect(split) == "194.00" }) }

            // The customer pays online before the couriers arrive; Shopify sends orders/paid
            // and orders/updated, and retries one of them.
            let paid = try sample.body(with: [
                "financial_status": "paid", "total_outstanding": "0.00", "updated_at": "2023-06-07T10:00:00Z",
                "payment_gateway_names": ["Cash on Delivery (COD)", "shopify_payments"],
            ])
            for topic in ["orders/paid", "orders/updated", "orders/updated"] {
                #expect(try await client.deliver(paid, topic: topic).status == 200)
            }
            #expect(
                await eventually { (try? await client.order(sample.shopifyOrderId).view?.sellerOrders.map(\.collectAmount)) == ["0.00", "0.00"] }
            )
            view = try #require(try await client.order(sample.shopifyOrderId).view)
            #expect(view.payment.status == "paid")
            #expect(view.payment.collectedAmount == "388.00")
            #expect(view.payment.remainingAmount == "0.00")
            for split in splits { #expect(await eventually { await collect(split) == "0.00" }, "the courier collects nothing") }
            #expect(
                await eventually {
                    (try? await orderPool.query(
                        """
                        SELECT count(*)::int AS n FROM webhook_deliveries
                        WHERE payload_sha256 = sha256(\(paid)) AND status = 'processed'
                        """
                    ).scalar("n", as: Int.self)) == 3
                }
            )
            let announced = try await orderPool.query(
                """
                SELECT (payload::jsonb)->>'splitOrderId' AS split, (payload::jsonb)->>'collectAmount' AS amount,
                       (payload::jsonb)->>'previousCollectAmount' AS previous
                FROM outbox
                WHERE routing_key = 'seller_order.collection_changed' AND (payload::jsonb)->>'shopifyOrderId' = \(String(sample.shopifyOrderId))
                ORDER BY id
                """
            ).map {
                "\(try $0.decode("split", as: String.self)) \(try $0.decode("previous", as: String.self))→\(try $0.decode("amount", as: String.self))"
            }
            #expect(announced == splits.map { "\($0) 194.00→0.00" }, "announced once per seller order")

            // A shipment delivered now settles nothing more: the order stays paid.
            #expect(
                try await delivery.webhook(awb: uniqueName("awb"), orderId: splits[0], status: 7, at: "08 06 2023 10:00:00").status == 200
            )
            #expect(
                await eventually {
                    (try? await client.order(sample.shopifyOrderId).view?.sellerOrders.map(\.status)) == ["delivered", "assigned"]
                }
            )
            view = try #require(try await client.order(sample.shopifyOrderId).view)
            #expect(view.payment.status == "paid")
            #expect(view.payment.collectedAmount == "388.00")
        }
        await orderPool.close()
    }
}
