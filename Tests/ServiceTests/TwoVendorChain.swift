import Foundation
import Hummingbird
import ServiceKit
import TestSupport
import Testing

@testable import OrderService

/// InventoryService, DeliveryService and OrderService running together, with a catalog of two
/// SKUs from two vendors (5 of each) and a COD order for one of each: the whole chain an
/// order's life goes through after Shopify.
struct TwoVendorChain {
    let inventory: InventoryHarness
    let delivery: DeliveryHarness
    let client: ShopifyClient
    let orderPort: Int
    let secret = "two-vendor-chain-secret"
    let skus: (a: String, b: String)
    let vendors: (v1: String, v2: String)
    let sample: SampleOrder

    init(inventoryPort: Int, deliveryPort: Int, orderPort: Int) {
        inventory = InventoryHarness(ports: [inventoryPort])
        delivery = DeliveryHarness(port: deliveryPort)
        client = ShopifyClient(base: "http://127.0.0.1:\(orderPort)", secret: secret)
        self.orderPort = orderPort
        skus = (inventory.id("A"), inventory.id("B"))
        vendors = (inventory.id("V1"), inventory.id("V2"))
        sample = SampleOrder(financialStatus: "pending", gateway: "Cash on Delivery (COD)", skus: [skus.a, skus.b])
    }

    var catalog: String {
        inventory.catalog(
            skus: [skus.a, skus.b],
            vendors: [vendors.v1: 1, vendors.v2: 2],
            offers: [(vendors.v1, skus.a, "3"), (vendors.v2, skus.b, "3")],
            stock: [(skus.a, vendors.v1, nil, 5), (skus.b, vendors.v2, nil, 5)]
        )
    }

    /// Runs `body` with the three services up and the catalog loaded.
    func run(_ body: () async throws -> Void) async throws {
        let orderService = try await OrderService.buildApplication(
            try OrderServiceConfiguration(
                environment: Environment([
                    "DATABASE_URL": TestStack.test.databaseURL(.order), "AMQP_URL": TestStack.test.amqpURL,
                    "HOST": "127.0.0.1", "PORT": "\(orderPort)", "ADMIN_TOKEN": "admin", "LOG_LEVEL": "error",
                    "SHOPIFY_WEBHOOK_SECRETS": secret,
                ])
            )
        )
        try await inventory.run { () async throws -> Void in
            try await withRunningApplication(try await DeliveryHarness.app(port: delivery.port)) { () async throws -> Void in
                try await withRunningApplication(orderService) { () async throws -> Void in
                    guard try await inventory.putCatalog(catalog).status == 200 else { throw TestFailure("catalog refused") }
                    try await body()
                }
            }
        }
    }

    /// Sends `order` (the chain's sample unless told) and waits until it is split into two
    /// seller orders, each with its pending delivery; returns their split order ids.
    func placeTwoVendorOrder(_ order: SampleOrder? = nil) async throws -> [String] {
        let order = order ?? sample
        let webhookId = UUID().uuidString
        #expect(try await client.deliver(try order.body(), webhookId: webhookId).status == 200)
        guard await eventually({ (try? await client.order(order.shopifyOrderId).view?.sellerOrders.count) == 2 }) else {
            let state = await PipelineDiagnosis.describe(shopifyOrderId: order.shopifyOrderId, webhookId: webhookId)
            throw TestFailure("the order was not split into two seller orders in time: \(state)")
        }
        let splits = try #require(try await client.order(order.shopifyOrderId).view).sellerOrders.map(\.splitOrderId)
        for split in splits { #expect(await eventually { await delivery.status(split) == "pending" }) }
        return splits
    }
}
