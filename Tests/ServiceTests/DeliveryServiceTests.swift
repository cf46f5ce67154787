import Foundation
import ServiceKit
import TestSupport
import Testing

@testable import DeliveryService

/// DeliveryService over HTTP and RabbitMQ, against the real PostgreSQL and broker.
@Suite struct DeliveryServiceTests {
    @Test func theTokenIsCheckedInEitherHeaderAndTheProbeIsAnswered() async throws {
        let delivery = DeliveryHarness(port: 28411)
        try await withRunningApplication(try await DeliveryHarness.app(port: 28411)) {
            let awb = uniqueName("awb")
            #expect(try await HTTPTest.get(delivery.base + "/webhooks/shiprocket").status == 200)
            #expect(try await delivery.webhook(awb: awb, orderId: nil, status: 18, at: "01 06 2023 10:00:00", token: "wrong").status == 401)
            #expect(try await delivery.webhook(awb: awb, orderId: nil, status: 18, at: "01 06 2023 10:00:00", header: "x-other").status == 401)
            #expect(try await delivery.webhook(awb: awb, orderId: nil, status: 18, at: "01 06 2023 10:00:00").status == 200)
            #expect(try await delivery.webhook(awb: awb, orderId: nil, status: 17, at: "01 06 2023 11:00:00", header: "anx-api-key").status == 200)
            let repeated = try await delivery.webhook(awb: awb, orderId: nil, status: 17, at: "01 06 2023 11:00:00")
            #expect(repeated.status == 200)
            #expect(repeated.body.contains("duplicate"))
            let junk = try await HTTPTest.request(
                "POST",
                delivery.base + "/webhooks/shiprocket",
                body: Data("not json".utf8),
                headers: ["x-api-key": DeliveryHarness.token]
            )
            #expect(junk.status == 400)
        }
    }

    @Test func statusesMoveForwardMatchedByOrderIdThenByAWBWithEveryEventInTheHistory() async throws {
        let delivery = DeliveryHarness(port: 28412)
        let split = uniqueName("split")
        let awb = uniqueName("awb")
        try await withRunningApplication(try await DeliveryHarness.app(port: 28412)) {
            try await DeliveryHarness.allocate(orderId: uniqueName("order"), splitOrderIds: [split])
            #expect(await eventually { await delivery.status(split) == "pending" })
            // In transit, matched by the channel order id (our split order id); its AWB is recorded.
            #expect(try await delivery.webhook(awb: awb, orderId: split, status: 18, at: "02 06 2023 10:00:00").status == 200)
            #expect(await eventually { await delivery.status(split) == "in_transit" })
            #expect(try await delivery.deliveries(splitOrderId: split).first?.awb == awb)
            // A late pick-up: history only.
            #expect(try await delivery.webhook(awb: awb, orderId: split, status: 42, at: "01 06 2023 18:00:00").status == 200)
            // Out for delivery, by AWB alone.
            #expect(try await delivery.webhook(awb: awb, orderId: nil, status: 17, at: "03 06 2023 08:00:00").status == 200)
            #expect(await eventually { await delivery.status(split) == "out_for_delivery" })
            #expect(try await delivery.webhook(awb: awb, orderId: nil, status: 7, at: "03 06 2023 12:00:00").status == 200)
            #expect(await eventually { await delivery.status(split) == "delivered" })
            // A late in transit and an unknown code after delivery: history only.
            #expect(try await delivery.webhook(awb: awb, orderId: nil, status: 18, at: "03 06 2023 13:00:00").status == 200)
            #expect(try await delivery.webhook(awb: awb, orderId: nil, status: 999, label: "NEW THING", at: "03 06 2023 14:00:00").status == 200)
            #expect(await eventually { (try? await delivery.deliveries(splitOrderId: split).first?.history.count) == 6 })
            let view = try #require(try await delivery.deliveries(splitOrderId: split).first)
            #expect(view.status == "delivered")
            #expect(view.history.map(\.shipmentStatusId) == [18, 42, 17, 7, 18, 999], "arrival order")
            #expect(view.history.map(\.outcome) == ["applied", "history", "applied", "applied", "history", "history"])
            #expect(view.history.last?.mappedStatus == nil)
            let unknown = try await HTTPTest.get(delivery.base + "/admin/shiprocket/webhooks?unknownCode=true", token: "admin")
            #expect(unknown.status == 200)
            #expect(unknown.body.contains("NEW THING"), "unknown codes are reported")
            #expect(try await HTTPTest.get(delivery.base + "/admin/shiprocket/webhooks").status == 401)
            #expect(try await HTTPTest.get(delivery.base + "/deliveries?awb=\(awb)").body.contains(split))
            #expect(try await HTTPTest.get(delivery.base + "/deliveries").status == 400)
        }
    }

    @Test func aWebhookForAnUnknownShipmentIsKeptAndMatchedOnceItsDeliveryExists() async throws {
        let delivery = DeliveryHarness(port: 28413)
        let split = uniqueName("early")
        try await withRunningApplication(try await DeliveryHarness.app(port: 28413)) {
            #expect(try await delivery.webhook(awb: uniqueName("awb"), orderId: split, status: 6, at: "02 06 2023 10:00:00").status == 200)
            // Processed while no delivery exists: kept, unmatched.
            #expect(
                await eventually {
                    (try? await HTTPTest.get(delivery.base + "/admin/shiprocket/webhooks?state=unmatched&limit=1000", token: "admin"))?
                        .body.contains(split) == true
                }
            )
            #expect(try await delivery.deliveries(splitOrderId: split).isEmpty)
            try await DeliveryHarness.allocate(orderId: uniqueName("order"), splitOrderIds: [split])
            #expect(await eventually { await delivery.status(split) == "picked_up" })
        }
    }

    @Test func aCancellationThatOvertakesItsAllocationCancelsTheDeliveryWhenItIsCreated() async throws {
        let delivery = DeliveryHarness(port: 28414)
        let order = uniqueName("early-cancel")
        try await withRunningApplication(try await DeliveryHarness.app(port: 28414)) {
            // Cancelled before DeliveryService has seen the order's allocation.
            try await DeliveryHarness.cancel(orderId: order, splitOrderId: "\(order)-1")
            try await TestStack.test.drained(ServiceDefinition.deliveryService.queue!.queue)
            #expect(await delivery.status("\(order)-1") == nil, "no delivery yet")
            try await DeliveryHarness.allocate(orderId: order, splitOrderIds: ["\(order)-1", "\(order)-2"])
            #expect(await eventually { await delivery.status("\(order)-2") == "pending" })
            #expect(await delivery.status("\(order)-1") == "cancelled", "created cancelled, not pending")
            // A shipment the courier has picked up is not called off by a cancellation.
            #expect(
                try await delivery.webhook(awb: uniqueName("awb"), orderId: "\(order)-2", status: 42, at: "01 06 2023 10:00:00").status == 200
            )
            #expect(await eventually { await delivery.status("\(order)-2") == "picked_up" })
            try await DeliveryHarness.cancel(orderId: order, splitOrderId: "\(order)-2")
            try await TestStack.test.drained(ServiceDefinition.deliveryService.queue!.queue)
            #expect(await delivery.status("\(order)-2") == "picked_up")
        }
    }

    @Test func aChangedAmountToCollectAppliesInVersionOrderUntilTheShipmentIsDelivered() async throws {
        let delivery = DeliveryHarness(port: 28415)
        let order = uniqueName("recollect")
        let (first, second) = ("\(order)-1", "\(order)-2")
        func collect(_ split: String) async -> String? { (try? await delivery.deliveries(splitOrderId: split))?.first?.collectAmount }
        try await withRunningApplication(try await DeliveryHarness.app(port: 28415)) {
            // A change that overtakes the delivery's creation is kept for it.
            try await DeliveryHarness.changeCollection(orderId: order, splitOrderId: first, to: "40.00", version: 2)
            try await TestStack.test.drained(ServiceDefinition.deliveryService.queue!.queue)
            try await DeliveryHarness.allocate(orderId: order, splitOrderIds: [first, second], collect: "100.00")
            #expect(await eventually { await collect(second) == "100.00" })
            #expect(await collect(first) == "40.00", "created with the newer amount")
            // An older change arriving late is not applied over a newer one.
            try await DeliveryHarness.changeCollection(orderId: order, splitOrderId: first, to: "70.00", version: 1)
            try await DeliveryHarness.changeCollection(orderId: order, splitOrderId: second, to: "0.00", version: 1)
            #expect(await eventually { await collect(second) == "0.00" })
            try await TestStack.test.drained(ServiceDefinition.deliveryService.queue!.queue)
            #expect(await collect(first) == "40.00")
            // Once delivered, what the courier collected stands.
            #expect(
                try await delivery.webhook(awb: uniqueName("awb"), orderId: first, status: 7, at: "01 06 2023 10:00:00").status == 200
            )
            #expect(await eventually { await delivery.status(first) == "delivered" })
            try await DeliveryHarness.changeCollection(orderId: order, splitOrderId: first, to: "0.00", version: 3)
            try await TestStack.test.drained(ServiceDefinition.deliveryService.queue!.queue)
            #expect(await collect(first) == "40.00")
        }
    }
}
