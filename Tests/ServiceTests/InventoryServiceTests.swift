import Foundation
import Messaging
import Postgres
import ServiceKit
import TestSupport
import Testing

@testable import InventoryService

/// InventoryService over HTTP and RabbitMQ, against the real PostgreSQL and broker.
@Suite struct InventoryServiceTests {
    @Test func theCatalogLoadsAndItsStockCanBeRead() async throws {
        let inventory = InventoryHarness(ports: [28391])
        let sku = inventory.id("SKU")
        let vendor = inventory.id("V1")
        let hub = inventory.id("H1")
        let catalog = inventory.catalog(
            skus: [sku],
            vendors: [vendor: 1],
            offers: [(vendor, sku, "12.50")],
            stock: [(sku, vendor, nil, 7), (sku, vendor, hub, 3)],
            hubs: [(hub, 2, 10)]
        )
        try await inventory.run {
            #expect(try await inventory.putCatalog(catalog, token: nil).status == 401)
            #expect(try await inventory.putCatalog(catalog, token: "wrong").status == 401)
            let loaded = try await inventory.putCatalog(catalog)
            #expect(loaded.status == 200)
            #expect(loaded.body.contains(#""stock":2"#))
            #expect(try await inventory.quantity(sku: sku, vendor: vendor) == 7)
            #expect(try await inventory.quantity(sku: sku, vendor: vendor, hub: hub) == 3)
            let levels = try await HTTPTest.get(inventory.base + "/stock/\(sku)")
            #expect(levels.body.contains(#""hubId":null"#), "hubId is always present")
            #expect(try await HTTPTest.get(inventory.base + "/stock/\(inventory.id("nope"))").status == 404)
            // Loading again sets absolute levels: nothing is added twice.
            #expect(try await inventory.putCatalog(catalog).status == 200)
            #expect(try await inventory.quantity(sku: sku, vendor: vendor) == 7)
        }
    }

    @Test func aBadCatalogNamesItsFirstBadFieldAndChangesNothing() async throws {
        let inventory = InventoryHarness(ports: [28392])
        let sku = inventory.id("SKU")
        let vendor = inventory.id("V1")
        let hub = inventory.id("H1")
        let pool = TestStack.test.pool(.inventory, name: uniqueName("badcatalog"))
        let unknownVendor = inventory.catalog(
            skus: [sku],
            vendors: [vendor: 1],
            offers: [(vendor, sku, "1")],
            stock: [(sku, vendor, nil, 1), (sku, inventory.id("GHOST"), nil, 1)],
            hubs: [(hub, 2, 10)]
        )
        let unknownHub = inventory.catalog(
            skus: [sku],
            vendors: [vendor: 1],
            offers: [],
            stock: [(sku, vendor, inventory.id("NOHUB"), 1)]
        )
        let badMargin = inventory.catalog(skus: [sku], vendors: [vendor: 1], offers: [(vendor, sku, "lots")], stock: [])
        try await inventory.run {
            let refused = try await inventory.putCatalog(unknownVendor)
            #expect(refused.status == 400)
            #expect(refused.body.contains("stock[1].vendorId"), "\(refused.body)")
            #expect(try await inventory.putCatalog(unknownHub).body.contains("stock[0].hubId"))
            let margin = try await inventory.putCatalog(badMargin)
            #expect(margin.status == 400)
            #expect(margin.body.contains("offers[0].margin"))
            #expect(try await inventory.putCatalog("{not json").status == 400)
        }
        // Nothing of the refused documents was kept, though their first sections were valid.
        #expect(try await pool.query("SELECT 1 FROM hubs WHERE id = \(hub)").isEmpty)
        #expect(try await pool.query("SELECT 1 FROM vendors WHERE id = \(vendor)").isEmpty)
        #expect(try await pool.query("SELECT 1 FROM products WHERE sku = \(sku)").isEmpty)
        await pool.close()
    }

    @Test func adjustmentsApplyAllOrNoneOnceAndNeverBelowZero() async throws {
        let inventory = InventoryHarness(ports: [28393])
        let a = inventory.id("A")
        let b = inventory.id("B")
        let vendor = inventory.id("V1")
        let catalog = inventory.catalog(
            skus: [a, b],
            vendors: [vendor: 1],
            offers: [],
            stock: [(a, vendor, nil, 10), (b, vendor, nil, 2)]
        )
        func body(_ key: String, _ changes: [(String, Int)]) -> String {
            let items = changes.map { #"{"sku": "\#($0.0)", "vendorId": "\#(vendor)", "hubId": null, "delta": \#($0.1)}"# }
            return #"{"idempotencyKey": "\#(key)", "reason": "recount", "changes": [\#(items.joined(separator: ","))]}"#
        }
        try await inventory.run {
            #expect(try await inventory.putCatalog(catalog).status == 200)
            let key = inventory.id("k1")
            let first = try await inventory.adjust(body(key, [(a, 5), (b, -2)]))
            #expect(first.status == 200)
            #expect(first.body.contains(#""replayed":false"#))
            #expect(try await inventory.quantity(sku: a, vendor: vendor) == 15)
            #expect(try await inventory.quantity(sku: b, vendor: vendor) == 0)

            let again = try await inventory.adjust(body(key, [(a, 5), (b, -2)]))
            #expect(again.status == 200)
            #expect(again.body.contains(#""replayed":true"#))
            #expect(try await inventory.quantity(sku: a, vendor: vendor) == 15, "the same key changes stock once")
            #expect(try await inventory.adjust(body(key, [(a, 6)])).status == 409, "a key stands for one set of changes")

            let negative = try await inventory.adjust(body(inventory.id("k2"), [(a, 3), (b, -1)]))
            #expect(negative.status == 409)
            #expect(negative.body.contains("changes[1]"))
            #expect(try await inventory.quantity(sku: a, vendor: vendor) == 15, "nothing of a refused adjustment is applied")
            #expect(try await inventory.adjust(body(inventory.id("k2"), [(a, 3)])).status == 200, "a refused key was not used up")

            let unknown = try await inventory.adjust(
                #"{"idempotencyKey": "\#(inventory.id("k3"))", "changes": [{"sku": "\#(a)", "vendorId": "\#(inventory.id("GHOST"))", "delta": 1}]}"#
            )
            #expect(unknown.status == 400)
            #expect(unknown.body.contains("changes[0].vendorId"))
            #expect(try await inventory.adjust(#"{"idempotencyKey": "x", "changes": []}"#).status == 400)
            #expect(try await inventory.adjust(body(inventory.id("k4"), [(a, 1)])).status == 200)
            #expect(try await inventory.quantity(sku: a, vendor: vendor) == 19)
        }
    }

    @Test func linesGoToTheirVendorsAndHubsAndStockFallsByExactlyTheQuantity() async throws {
        let inventory = InventoryHarness(ports: [28394])
        let collector = try await InventoryHarness.eventCollector()
        let publisher = TestStack.test.publisher()
        let a = inventory.id("A")
        let b = inventory.id("B")
        let h = inventory.id("HUBBED")
        let v1 = inventory.id("V1")
        let v2 = inventory.id("V2")
        let hub = inventory.id("H")
        let catalog = inventory.catalog(
            skus: [a, b, h],
            vendors: [v1: 3, v2: 8],
            offers: [(v1, a, "5"), (v2, a, "4"), (v2, b, "9"), (v1, b, "1"), (v1, h, "3")],
            stock: [(a, v1, nil, 4), (a, v2, nil, 4), (b, v2, nil, 4), (b, v1, nil, 0), (h, v1, hub, 2), (h, v1, nil, 2)],
            hubs: [(hub, 5, 10)]
        )
        try await inventory.run {
            #expect(try await inventory.putCatalog(catalog).status == 200)
            let twoVendors = inventory.id("order-1")
            try await inventory.confirm(twoVendors, lines: [(a, 3), (b, 2)], publisher: publisher)
            #expect(await eventually { !InventoryHarness.events(InventoryAllocated.self, collector, orderId: twoVendors).isEmpty })
            let lines = try #require(InventoryHarness.events(InventoryAllocated.self, collector, orderId: twoVendors).first).lines
            #expect(lines.map(\.vendorId) == [v1, v2])
            #expect(lines.map(\.flow) == ["NORMAL", "NORMAL"])
            #expect(lines.map(\.vendorEmail) == ["\(v1.lowercased())@vendors.example", "\(v2.lowercased())@vendors.example"])
            #expect(try await inventory.quantity(sku: a, vendor: v1) == 1)
            #expect(try await inventory.quantity(sku: a, vendor: v2) == 4)
            #expect(try await inventory.quantity(sku: b, vendor: v2) == 2)

            let near = inventory.id("order-2")
            try await inventory.confirm(near, lines: [(h, 2)], shipping: AllocatorTests.customer, publisher: publisher)
            #expect(await eventually { !InventoryHarness.events(InventoryAllocated.self, collector, orderId: near).isEmpty })
            let hubLine = try #require(InventoryHarness.events(InventoryAllocated.self, collector, orderId: near).first?.lines.first)
            #expect(hubLine.flow == "HUB")
            #expect(hubLine.hubId == hub)
            #expect(try await inventory.quantity(sku: h, vendor: v1, hub: hub) == 0)
            #expect(try await inventory.quantity(sku: h, vendor: v1) == 2)
        }
        await collector.stop()
        await publisher.shutdown()
    }

    @Test func anOrderWithAnUnfillableLineTakesNoStockAnywhere() async throws {
        let inventory = InventoryHarness(ports: [28395])
        let collector = try await InventoryHarness.eventCollector()
        let publisher = TestStack.test.publisher()
        let a = inventory.id("A")
        let b = inventory.id("B")
        let vendor = inventory.id("V1")
        let catalog = inventory.catalog(
            skus: [a, b],
            vendors: [vendor: 1],
            offers: [(vendor, a, "1"), (vendor, b, "1")],
            stock: [(a, vendor, nil, 5), (b, vendor, nil, 1)]
        )
        try await inventory.run {
            #expect(try await inventory.putCatalog(catalog).status == 200)
            let order = inventory.id("order")
            try await inventory.confirm(order, lines: [(a, 2), (b, 2), (inventory.id("UNKNOWN"), 1)], publisher: publisher)
            #expect(await eventually { !InventoryHarness.events(InventoryAllocationFailed.self, collector, orderId: order).isEmpty })
            let failure = try #require(InventoryHarness.events(InventoryAllocationFailed.self, collector, orderId: order).first)
            #expect(failure.unfilledLines.map(\.sku) == [b, inventory.id("UNKNOWN")])
            #expect(try await inventory.quantity(sku: a, vendor: vendor) == 5)
            #expect(try await inventory.quantity(sku: b, vendor: vendor) == 1)
            #expect(InventoryHarness.events(InventoryAllocated.self, collector, orderId: order).isEmpty)
        }
        await collector.stop()
        await publisher.shutdown()
    }

    @Test func aRedeliveredConfirmationTakesStockOnceAndCancellationsReturnItOnce() async throws {
        let queueName = ServiceDefinition.inventoryService.queue!.queue
        let inventory = InventoryHarness(ports: [28396])
        let collector = try await InventoryHarness.eventCollector()
        let publisher = TestStack.test.publisher()
        let pool = TestStack.test.pool(.inventory, name: uniqueName("once"))
        let sku = inventory.id("SKU")
        let vendor = inventory.id("V1")
        let catalog = inventory.catalog(skus: [sku], vendors: [vendor: 1], offers: [(vendor, sku, "1")], stock: [(sku, vendor, nil, 10)])
        try await inventory.run {
            #expect(try await inventory.putCatalog(catalog).status == 200)
            let order = inventory.id("order")
            let messageId = UUID().uuidString
            // The same message twice (a broker redelivery) and a copy under a new message id.
            for id in [messageId, messageId, UUID().uuidString] {
                try await inventory.confirm(order, lines: [(sku, 3)], messageId: id, publisher: publisher)
            }
            #expect(await eventually { (try? await inventory.allocationStatuses([order], pool: pool)) == [order: "allocated"] })
            #expect(await eventually { !InventoryHarness.events(InventoryAllocated.self, collector, orderId: order).isEmpty })
            // The copies go to whichever of the service's consumers (other tests run some) takes
            // them, in no order to wait behind: wait until the broker has every message of the
            // queue acknowledged, so theirs too.
            try await TestStack.test.drained(queueName)
            #expect(try await inventory.quantity(sku: sku, vendor: vendor) == 7)
            #expect(InventoryHarness.events(InventoryAllocated.self, collector, orderId: order).count == 1)

            for _ in 0..<2 { try await inventory.cancel(order, publisher: publisher) }
            #expect(await eventually { (try? await inventory.allocationStatuses([order], pool: pool)) == [order: "released"] })
            try await TestStack.test.drained(queueName)  // the other copy, as above
            #expect(try await inventory.quantity(sku: sku, vendor: vendor) == 10, "cancelled twice, returned once")

            // A cancellation that overtakes its confirmation: the late confirmation takes nothing.
            let overtaken = inventory.id("overtaken")
            try await inventory.cancel(overtaken, publisher: publisher)
            #expect(await eventually { (try? await inventory.allocationStatuses([overtaken], pool: pool)) == [overtaken: "cancelled"] })
            try await inventory.confirm(overtaken, lines: [(sku, 1)], publisher: publisher)
            // Handled, the late confirmation leaves no trace to wait for: wait for the queue, as above.
            try await TestStack.test.drained(queueName)
            #expect(try await inventory.quantity(sku: sku, vendor: vendor) == 10)
            #expect(try await inventory.allocationStatuses([overtaken], pool: pool) == [overtaken: "cancelled"])
        }
        await collector.stop()
        await publisher.shutdown()
        await pool.close()
    }

    @Test func fortyConcurrentOrdersForTenUnitsOnTwoReplicasAllocateExactlyTen() async throws {
        let inventory = InventoryHarness(ports: [28397, 28398])
        let publisher = TestStack.test.publisher()
        let pool = TestStack.test.pool(.inventory, name: uniqueName("race"))
        let sku = inventory.id("HOT")
        let v1 = inventory.id("V1")
        let v2 = inventory.id("V2")
        let hub = inventory.id("H")
        // Ten units spread over a hub and two vendors, so orders compete across several rows.
        let catalog = inventory.catalog(
            skus: [sku],
            vendors: [v1: 1, v2: 2],
            offers: [(v1, sku, "2"), (v2, sku, "1")],
            stock: [(sku, v1, nil, 4), (sku, v2, nil, 3), (sku, v1, hub, 3)],
            hubs: [(hub, 1, 20)]
        )
        let orders = (0..<40).map { inventory.id("order-\($0)") }
        try await inventory.run {
            #expect(try await inventory.putCatalog(catalog).status == 200)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, order) in orders.enumerated() {
                    group.addTask {
                        try await inventory.confirm(
                            order,
                            lines: [(sku, 1)],
                            shipping: index.isMultiple(of: 2) ? AllocatorTests.customer : nil,
                            publisher: publisher
                        )
                    }
                }
                try await group.waitForAll()
            }
            #expect(
                await eventually {
                    (try? await inventory.allocationStatuses(orders, pool: pool).count) == orders.count
                }
            )
        }
        let statuses = try await inventory.allocationStatuses(orders, pool: pool)
        #expect(statuses.values.filter { $0 == "allocated" }.count == 10)
        #expect(statuses.values.filter { $0 == "failed" }.count == 30)
        let left = try await pool.query("SELECT coalesce(sum(quantity), -1) AS n FROM stock WHERE sku = \(sku)").scalar("n", as: Int.self)
        #expect(left == 0)
        let taken = try await pool.query("SELECT count(*) AS n FROM allocation_lines WHERE sku = \(sku)").scalar("n", as: Int.self)
        #expect(taken == 10)
        await publisher.shutdown()
        await pool.close()
    }

    @Test func aBatchOfConfirmationsIsAllocatedInOrderEachSeeingTheStockTheEarlierTook() async throws {
        let inventory = InventoryHarness(ports: [28399])
        let pool = TestStack.test.pool(.inventory, name: uniqueName("batch"))
        let sku = inventory.id("SKU")
        let vendor = inventory.id("V1")
        let catalog = inventory.catalog(skus: [sku], vendors: [vendor: 1], offers: [(vendor, sku, "1")], stock: [(sku, vendor, nil, 5)])
        try await inventory.run { () async throws -> Void in #expect(try await inventory.putCatalog(catalog).status == 200) }
        func order(_ name: String, quantity: Int) -> InventoryService.OrderConfirmed {
            InventoryService.OrderConfirmed(
                orderId: inventory.id(name),
                shopifyOrderId: name,
                shopDomain: "batch.myshopify.com",
                shippingPoint: nil,
                billingPoint: nil,
                items: [.init(lineItemId: "1", variantId: nil, sku: sku, quantity: quantity)]
            )
        }
        let batch = [order("a", quantity: 3), order("a", quantity: 3), order("b", quantity: 3), order("c", quantity: 2)]
        let outcomes = try await pool.withTransaction { tx in try await AllocationRepository().allocate(batch, in: tx) }
        let kinds = outcomes.map { outcome -> String in
            switch outcome {
            case .allocated: "allocated"
            case .failed: "failed"
            case .alreadyHandled: "alreadyHandled"
            }
        }
        #expect(kinds == ["allocated", "alreadyHandled", "failed", "allocated"], "b needs 3 of the 2 that a left; c takes them")
        let left = try await pool.query("SELECT quantity FROM stock WHERE sku = \(sku)").scalar("quantity", as: Int.self)
        #expect(left == 0)
        let again = try await pool.withTransaction { tx in try await AllocationRepository().allocate(batch, in: tx) }
        #expect(again.allSatisfy { if case .alreadyHandled = $0 { true } else { false } })
        await pool.close()
    }
}
