import Foundation
import Hummingbird
import Postgres
import ServiceKit
import TestSupport
import Testing

@testable import DeliveryService
@testable import OrderService

/// An order edit after the split, as Shopify reports it (an orders/updated whose line has
/// `current_quantity` 0, sent twice): the removed unit goes back to stock once, its seller
/// order is cancelled with its shipment, the other courier collects what is now owed; an edit
/// that adds a line ships it in a seller order of its own, and one that raises a line's
/// quantity is reported. A later cancellation returns nothing twice.
@Suite struct EditTests {
    @Test func aLineRemovedAfterTheSplitGoesBackOnceAndItsSellerOrderIsCancelled() async throws {
        let chain = TwoVendorChain(inventoryPort: 28436, deliveryPort: 28437, orderPort: 28438)
        let (inventory, delivery, client, sample) = (chain.inventory, chain.delivery, chain.client, chain.sample)
        let (a, b, v1, v2) = (chain.skus.a, chain.skus.b, chain.vendors.v1, chain.vendors.v2)
        let orderPool = TestStack.test.pool(.order, size: 1, name: uniqueName("edits"))
        func view() async -> OrderView? { try? await client.order(sample.shopifyOrderId).view }
        func lines(_ change: (inout [[String: Any]]) -> Void) throws -> [[String: Any]] {
            var json = try JSONSerialization.jsonObject(with: try sample.body()) as! [String: Any]
            var items = json["line_items"] as! [[String: Any]]
            change(&items)
            json["line_items"] = items
            return items
        }
        try await chain.run {
            let splits = try await chain.placeTwoVendorOrder()
            #expect(try await inventory.quantity(sku: b, vendor: v2) == 4)

            // The second line is removed: the order is worth 189.00 now, all of it still owed.
            let edited = try sample.body(with: [
                "updated_at": "2023-06-07T10:00:00Z", "current_total_price": "189.00", "total_outstanding": "189.00",
                "line_items": try lines { $0[1]["current_quantity"] = 0 },
            ])
            for _ in 0..<2 { #expect(try await client.deliver(edited, topic: "orders/updated").status == 200) }
            #expect(await eventually { (try? await inventory.quantity(sku: b, vendor: v2)) == 5 }, "the removed unit is back")
            #expect(await eventually { await delivery.status(splits[1]) == "cancelled" }, "its shipment is called off")
            var order = try #require(await view())
            #expect(order.items.map(\.quantity) == [1, 0])
            #expect(order.items.map(\.orderedQuantity) == [1, 1])
            #expect(order.sellerOrders.map(\.status) == ["assigned", "cancelled"])
            #expect(order.sellerOrders.map(\.collectAmount) == ["189.00", "194.00"], "the remaining seller order collects what is owed")
            #expect(order.payment.remainingAmount == "189.00")
            #expect(await eventually { (try? await delivery.deliveries(splitOrderId: splits[0]))?.first?.collectAmount == "189.00" })
            let announced = try await orderPool.query(
                """
                SELECT routing_key, count(*)::int AS n FROM outbox
                WHERE routing_key IN ('order.edited', 'seller_order.cancelled', 'seller_order.collection_changed')
                  AND (payload::jsonb)->>'shopifyOrderId' = \(String(sample.shopifyOrderId))
                GROUP BY routing_key ORDER BY routing_key
                """
            ).map { "\(try $0.decode("routing_key", as: String.self)) \(try $0.decode("n", as: Int.self))" }
            #expect(announced == ["order.edited 1", "seller_order.cancelled 1", "seller_order.collection_changed 1"], "once each")

            // An edit that adds a line (of the first SKU) and raises the first line to two.
            let added = try sample.body(with: [
                "updated_at": "2023-06-08T10:00:00Z", "current_total_price": "388.00", "total_outstanding": "388.00",
                "line_items": try lines {
                    $0[1]["current_quantity"] = 0
                    var extra = $0[0]
                    extra["id"] = 777_000_000_000_000_001
                    $0.append(extra)
                    $0[0]["quantity"] = 2
                    $0[0]["current_quantity"] = 2
                },
            ])
            for _ in 0..<2 { #expect(try await client.deliver(added, topic: "orders/updated").status == 200) }
            #expect(await eventually { await view()?.sellerOrders.count == 3 }, "the added line ships in a seller order of its own")
            order = try #require(await view())
            #expect(order.sellerOrders.map(\.status) == ["assigned", "cancelled", "assigned"])
            #expect(order.sellerOrders.map(\.vendorId) == [v1, v2, v1])
            #expect(order.editNotice?.contains(String(SampleOrder.lineItemIds[0])) == true, "the raised quantity is reported")
            #expect(try await inventory.quantity(sku: a, vendor: v1) == 3, "the added unit is taken, once")
            let third = order.sellerOrders[2].splitOrderId
            #expect(third == "\(splits[0].dropLast(2))-3")
            #expect(await eventually { await view()?.sellerOrders.map(\.collectAmount) == ["194.00", "194.00", "194.00"] })
            #expect(await eventually { (try? await delivery.deliveries(splitOrderId: third))?.first?.collectAmount == "194.00" })

            // Cancelled: the first line's unit and the added one come back; the second's is not
            // returned twice.
            var cancelled = sample
            cancelled.updatedAt = "2023-06-09T10:00:00Z"
            #expect(try await client.deliver(try cancelled.body(), topic: "orders/cancelled").status == 200)
            #expect(await eventually { (try? await inventory.quantity(sku: a, vendor: v1)) == 5 })
            order = try #require(await view())
            #expect(order.status == "cancelled")
            #expect(try await inventory.quantity(sku: b, vendor: v2) == 5)
        }
        await orderPool.close()
    }
}

extension EditTests {
    /// The two-vendor order edited: its second line removed, 189.00 now owed.
    static func secondLineRemoved(_ sample: SampleOrder) throws -> Data {
        let json = try JSONSerialization.jsonObject(with: try sample.body()) as! [String: Any]
        var items = json["line_items"] as! [[String: Any]]
        items[1]["current_quantity"] = 0
        return try sample.body(with: [
            "updated_at": "2023-06-07T10:00:00Z", "current_total_price": "189.00", "total_outstanding": "189.00",
            "line_items": items,
        ])
    }

    /// An edit that empties the last seller order on its way, after the other was delivered:
    /// the order is done (`delivered`), and the removed unit is back once.
    @Test func anEditThatEmptiesTheLastSellerOrderOnItsWayCompletesTheOrder() async throws {
        let chain = TwoVendorChain(inventoryPort: 28443, deliveryPort: 28444, orderPort: 28448)
        let (inventory, delivery, client, sample) = (chain.inventory, chain.delivery, chain.client, chain.sample)
        let (b, v2) = (chain.skus.b, chain.vendors.v2)
        func view() async -> OrderView? { try? await client.order(sample.shopifyOrderId).view }
        try await chain.run {
            let splits = try await chain.placeTwoVendorOrder()
            #expect(
                try await delivery.webhook(awb: uniqueName("awb"), orderId: splits[0], status: 7, at: "05 06 2023 10:00:00").status == 200
            )
            #expect(await eventually { await view()?.sellerOrders.map(\.status) == ["delivered", "assigned"] })

            #expect(try await client.deliver(try Self.secondLineRemoved(sample), topic: "orders/updated").status == 200)
            #expect(await eventually { await view()?.status == "delivered" }, "nothing left on its way")
            let order = try #require(await view())
            #expect(order.sellerOrders.map(\.status) == ["delivered", "cancelled"])
            #expect(order.payment.remainingAmount == "0.00", "the courier's 194.00 covers the 189.00 now owed")
            #expect(await eventually { (try? await inventory.quantity(sku: b, vendor: v2)) == 5 })
            #expect(await eventually { await delivery.status(splits[1]) == "cancelled" })
        }
    }
}

extension EditTests {
    /// An edit empties a seller order whose courier has the parcel already, and the courier
    /// delivers it anyway: the unit the edit put back on the shelf comes off it again, once,
    /// and the order, done since the edit, is not announced delivered a second time.
    @Test func aParcelAnEditEmptiedAfterPickupAndDeliveredAnywayIsTakenBackOnce() async throws {
        let chain = TwoVendorChain(inventoryPort: 28456, deliveryPort: 28457, orderPort: 28458)
        let (inventory, delivery, client, sample) = (chain.inventory, chain.delivery, chain.client, chain.sample)
        let (b, v2) = (chain.skus.b, chain.vendors.v2)
        let orderPool = TestStack.test.pool(.order, size: 1, name: uniqueName("edits"))
        func view() async -> OrderView? { try? await client.order(sample.shopifyOrderId).view }
        try await chain.run {
            let splits = try await chain.placeTwoVendorOrder()
            #expect(
                try await delivery.webhook(awb: uniqueName("awb"), orderId: splits[0], status: 7, at: "05 06 2023 10:00:00").status == 200
            )
            let awb = uniqueName("awb")
            #expect(try await delivery.webhook(awb: awb, orderId: splits[1], status: 42, at: "05 06 2023 11:00:00").status == 200)
            #expect(await eventually { await delivery.status(splits[1]) == "picked_up" })
            #expect(await eventually { await view()?.sellerOrders.map(\.status) == ["delivered", "assigned"] })

            #expect(try await client.deliver(try Self.secondLineRemoved(sample), topic: "orders/updated").status == 200)
            #expect(await eventually { await view()?.status == "delivered" })
            #expect(await eventually { (try? await inventory.quantity(sku: b, vendor: v2)) == 5 }, "the edit put it back")
            #expect(await delivery.status(splits[1]) == "picked_up", "the courier has it")

            // Delivered anyway, and Shiprocket repeats itself.
            for time in ["08 06 2023 10:00:00", "08 06 2023 10:00:00"] {
                _ = try await delivery.webhook(awb: awb, orderId: splits[1], status: 7, at: time)
            }
            #expect(await eventually { await view()?.sellerOrders.map(\.status) == ["delivered", "delivered"] })
            #expect(await eventually { (try? await inventory.quantity(sku: b, vendor: v2)) == 4 }, "taken back")
            #expect(await eventually { await delivery.processedWebhooks(splits[1]) == 2 }, "picked up, delivered")
            let order = try #require(await view())
            #expect(order.status == "delivered")
            #expect(order.payment.remainingAmount == "0.00")
            let announced = try await orderPool.query(
                """
                SELECT routing_key, count(*)::int AS n FROM outbox
                WHERE routing_key IN ('order.delivered', 'seller_order.delivered_after_cancel')
                  AND (payload::jsonb)->>'shopifyOrderId' = \(String(sample.shopifyOrderId))
                GROUP BY routing_key ORDER BY routing_key
                """
            ).map { "\(try $0.decode("routing_key", as: String.self)) \(try $0.decode("n", as: Int.self))" }
            #expect(announced == ["order.delivered 1", "seller_order.delivered_after_cancel 1"], "announced once each")
        }
        await orderPool.close()
    }
}
