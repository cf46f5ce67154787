import Foundation
import Hummingbird
import Messaging
import ServiceKit
import TestSupport
import Testing

@testable import OrderService

/// OrderService and InventoryService together: a Shopify order is allocated and split into
/// one seller order per vendor, and its cancellation returns the stock.
@Suite struct SellerOrderTests {
    static let secret = "seller-order-secret"

    func orderService(port: Int) async throws -> some ApplicationProtocol {
        try await OrderService.buildApplication(
            try OrderServiceConfiguration(
                environment: Environment([
                    "DATABASE_URL": TestStack.test.databaseURL(.order), "AMQP_URL": TestStack.test.amqpURL,
                    "HOST": "127.0.0.1", "PORT": "\(port)", "ADMIN_TOKEN": "admin", "LOG_LEVEL": "error",
                    "SHOPIFY_WEBHOOK_SECRETS": Self.secret,
                ])
            )
        )
    }

    func orderEvents() async throws -> MessageCollector {
        let topology = QueueTopology(
            queue: uniqueName("order-events-q"),
            bindings: [OrderAllocated.routingKey, OrderAllocationFailed.routingKey]
        )
        let publisher = TestStack.test.publisher()
        try await publisher.declare(topology)
        await publisher.shutdown()
        return MessageCollector(topology: topology)
    }

    @Test func aTwoVendorCODOrderBecomesTwoSellerOrdersAndItsCancellationReturnsTheStock() async throws {
        let inventory = InventoryHarness(ports: [28401])
        let events = try await orderEvents()
        let a = inventory.id("A")
        let b = inventory.id("B")
        let v1 = inventory.id("V1")
        let v2 = inventory.id("V2")
        let catalog = inventory.catalog(
            skus: [a, b],
            vendors: [v1: 1, v2: 2],
            offers: [(v1, a, "3"), (v2, b, "3")],
            stock: [(a, v1, nil, 5), (b, v2, nil, 5)]
        )
        let sample = SampleOrder(financialStatus: "pending", gateway: "Cash on Delivery (COD)", skus: [a, b])
        let client = ShopifyClient(base: "http://127.0.0.1:28402", secret: Self.secret)
        try await inventory.run {
            try await withRunningApplication(try await orderService(port: 28402)) {
                #expect(try await inventory.putCatalog(catalog).status == 200)
                #expect(try await client.deliver(try sample.body()).status == 200)
                #expect(
                    await eventually {
                        (try? await client.order(sample.shopifyOrderId).view?.status) == "allocated"
                    }
                )
                let view = try #require(try await client.order(sample.shopifyOrderId).view)
                #expect(view.payment.method == "cod")
                #expect(view.sellerOrders.map(\.vendorId) == [v1, v2])
                #expect(view.sellerOrders.map { $0.items.map(\.sku) } == [[a], [b]])
                #expect(view.sellerOrders.map(\.flow) == ["NORMAL", "NORMAL"])
                #expect(view.sellerOrders.map(\.hubId) == [nil, nil])
                #expect(view.sellerOrders.map(\.status) == ["assigned", "assigned"])
                #expect(view.sellerOrders.map(\.itemsAmount) == ["199.00", "199.00"])
                // The customer owes 388.00 on delivery, shared by what each shipment carries.
                #expect(view.sellerOrders.map(\.collectAmount) == ["194.00", "194.00"])
                #expect(Set(view.sellerOrders.map(\.splitOrderId)).count == 2)
                #expect(try await inventory.quantity(sku: a, vendor: v1) == 4)
                #expect(try await inventory.quantity(sku: b, vendor: v2) == 4)

                #expect(await eventually { allocated(events, sample).count == 1 })
                let event = try #require(allocated(events, sample).first)
                #expect(event.sellerOrders.map(\.vendorEmail) == ["\(v1.lowercased())@vendors.example", "\(v2.lowercased())@vendors.example"])
                #expect(event.sellerOrders.map(\.splitOrderId) == view.sellerOrders.map(\.splitOrderId))
                #expect(event.customer.email == "john@example.com")

                var cancelled = sample
                cancelled.updatedAt = "2022-01-01T10:00:00-05:00"
                #expect(try await client.deliver(try cancelled.body(), topic: "orders/cancelled").status == 200)
                #expect(
                    await eventually {
                        let left = [try? await inventory.quantity(sku: a, vendor: v1), try? await inventory.quantity(sku: b, vendor: v2)]
                        return left == [5, 5]
                    }
                )
                let after = try #require(try await client.order(sample.shopifyOrderId).view)
                #expect(after.status == "cancelled")
                #expect(after.sellerOrders.map(\.status) == ["cancelled", "cancelled"])
            }
        }
        await events.stop()
    }

    @Test func anOrderNoVendorCanSupplyIsMarkedAllocationFailed() async throws {
        let inventory = InventoryHarness(ports: [28403])
        let events = try await orderEvents()
        let sku = inventory.id("SCARCE")
        let vendor = inventory.id("V1")
        let catalog = inventory.catalog(skus: [sku], vendors: [vendor: 1], offers: [(vendor, sku, "1")], stock: [(sku, vendor, nil, 1)])
        // Two lines of one unit each against one unit in stock.
        let sample = SampleOrder(skus: [sku, sku])
        let client = ShopifyClient(base: "http://127.0.0.1:28404", secret: Self.secret)
        try await inventory.run { () async throws -> Void in
            try await withRunningApplication(try await orderService(port: 28404)) { () async throws -> Void in
                #expect(try await inventory.putCatalog(catalog).status == 200)
                #expect(try await client.deliver(try sample.body()).status == 200)
                #expect(
                    await eventually {
                        (try? await client.order(sample.shopifyOrderId).view?.status) == "allocation_failed"
                    }
                )
                #expect(try await client.order(sample.shopifyOrderId).view?.sellerOrders.isEmpty == true)
                #expect(try await inventory.quantity(sku: sku, vendor: vendor) == 1)
                #expect(
                    await eventually {
                        events.messages.contains {
                            (try? OrderAllocationFailed.decode(from: $0.body))?.shopifyOrderId == String(sample.shopifyOrderId)
                        }
                    }
                )
            }
        }
        await events.stop()
    }

    func allocated(_ collector: MessageCollector, _ sample: SampleOrder) -> [OrderAllocated] {
        collector.messages.filter { $0.eventType == OrderAllocated.routingKey }
            .compactMap { try? OrderAllocated.decode(from: $0.body) }
            .filter { $0.shopifyOrderId == String(sample.shopifyOrderId) }
    }
}
