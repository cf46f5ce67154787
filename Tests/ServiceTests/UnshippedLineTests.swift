import Foundation
import Hummingbird
import ServiceKit
import TestSupport
import Testing

@testable import OrderService

/// Lines without shipping (a tip, a gift card, a custom item without SKU) are kept on the order
/// and in its totals, but not allocated; an order of only such lines is fulfilled without a
/// seller order.
@Suite struct UnshippedLineTests {
    static let secret = "unshipped-line-secret"

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

    @Test func aTipAndAGiftCardStayOnTheOrderButOnlyTheProductIsAllocatedAndShipped() async throws {
        let inventory = InventoryHarness(ports: [28405])
        let sku = inventory.id("P")
        let vendor = inventory.id("V1")
        let catalog = inventory.catalog(skus: [sku], vendors: [vendor: 1], offers: [(vendor, sku, "1")], stock: [(sku, vendor, nil, 3)])
        let client = ShopifyClient(base: "http://127.0.0.1:28406", secret: Self.secret)
        let mixed = try OrderIntakeTests.order(lines: { lines in
            [
                lines[0].merging(["sku": sku]) { $1 },
                // A tip: no SKU, no variant, nothing to ship.
                lines[1].merging(["id": 9001, "sku": NSNull(), "variant_id": NSNull(), "requires_shipping": false, "price": "20.00"]) { $1 },
                lines[1].merging(["id": 9002, "sku": "GIFT-50", "gift_card": true, "requires_shipping": false, "price": "50.00"]) { $1 },
            ]
        })
        let giftOnly = try OrderIntakeTests.order(lines: { lines in
            [lines[0].merging(["sku": "GIFT-50", "gift_card": true, "requires_shipping": false, "price": "50.00"]) { $1 }]
        })
        try await inventory.run { () async throws -> Void in
            try await withRunningApplication(try await orderService(port: 28406)) { () async throws -> Void in
                #expect(try await inventory.putCatalog(catalog).status == 200)
                #expect(try await client.deliver(mixed.body).status == 200)
                #expect(await eventually { (try? await client.order(mixed.id).view?.status) == "allocated" })
                let view = try #require(try await client.order(mixed.id).view)
                #expect(view.items.count == 3, "every line stays on the order")
                #expect(view.sellerOrders.count == 1)
                #expect(view.sellerOrders.first?.items.map(\.sku) == [sku], "only the product is shipped")
                #expect(try await inventory.quantity(sku: sku, vendor: vendor) == 2)

                #expect(try await client.deliver(giftOnly.body).status == 200)
                #expect(await eventually { (try? await client.order(giftOnly.id).view?.status) == "delivered" })
                let gift = try #require(try await client.order(giftOnly.id).view)
                #expect(gift.sellerOrders.isEmpty, "fulfilled without a seller order")
                #expect(gift.items.map(\.sku) == ["GIFT-50"])
            }
        }
    }
}
