import Foundation
import Postgres
import TestSupport
import Testing

@testable import InventoryService

/// Two processes of every service (the real executables, as `REPLICAS=2 ./scripts/run`
/// starts them) on the fault stack, where nothing else consumes their queues. Every order is
/// delivered to both OrderService replicas at once, and again under a new webhook id; the
/// stock is too small for all of them. Afterwards: one order per Shopify order, stock exactly
/// the initial level minus what was allocated, one email per event and recipient, each sent
/// once (the customers of the orders that did not fit are told so).
extension FaultTests {
    @Test func twoReplicasOfEveryServiceKeepTheInvariants() async throws {
        let secret = "replica-secret"
        let admin = "replica-admin"
        var processes: [Subprocess] = []
        defer { for process in processes { process.send(SIGKILL) } }
        var bases: [String: [String]] = [:]
        for (index, service) in ServiceProcessTests.services.enumerated() {
            for replica in 0..<2 {
                let port = 28_281 + index + 10 * replica
                processes.append(
                    try launch(
                        service.name,
                        environment: [
                            "DATABASE_URL": stack.databaseURL(service.role), "AMQP_URL": stack.amqpURL,
                            "HOST": "127.0.0.1", "PORT": "\(port)", "ADMIN_TOKEN": admin, "LOG_LEVEL": "error",
                            "SHOPIFY_WEBHOOK_SECRETS": secret, "SHIPROCKET_WEBHOOK_TOKEN": "replica-token",
                            "SMTP_URL": stack.smtpSinkURL, "SMTP_FROM": "shop@example.com",
                            "PUSH_URL": stack.pushSinkURL, "PUSH_TOKEN": NotificationHarness.pushToken,
                        ]
                    )
                )
                bases[service.name, default: []].append("http://127.0.0.1:\(port)")
            }
        }
        for base in bases.values.flatMap({ $0 }) {
            #expect(await eventually { (try? await HTTPTest.get("\(base)/health/ready").status) == 200 }, "\(base) ready")
        }

        // 20 units; each order takes 2 (two lines of one unit), so 10 of the 14 orders fit.
        let catalogs = InventoryHarness(ports: [])
        let sku = catalogs.id("SKU")
        let vendor = catalogs.id("V")
        let catalog = catalogs.catalog(
            skus: [sku],
            vendors: [vendor: 2],
            offers: [(vendor, sku, "10.00")],
            stock: [(sku, vendor, nil, 20)]
        )
        #expect(try await HTTPTest.send("PUT", bases["InventoryService"]![0] + "/admin/catalog", json: catalog, token: admin).status == 200)

        let run = uniqueName("replicas")
        let orders = (0..<14).map { index in
            var order = SampleOrder(skus: [sku, sku])
            order.shippingPoint = (AllocatorTests.customer.latitude, AllocatorTests.customer.longitude)
            return (order: order, email: "\(run)-\(index)@example.com")
        }
        let shopify = bases["OrderService"]!.map { ShopifyClient(base: $0, secret: secret) }
        try await withThrowingTaskGroup(of: UInt.self) { group in
            for (order, email) in orders {
                let body = Data(
                    String(decoding: try order.body(), as: UTF8.self)
                        .replacingOccurrences(of: "jon@example.com", with: email)
                        .replacingOccurrences(of: "john@example.com", with: email)
                        .replacingOccurrences(of: #""id": 115310627314723954"#, with: #""id": \#(order.shopifyOrderId)"#).utf8
                )  // its own customer
                let webhookId = UUID().uuidString
                // The same delivery to both replicas at once, and a re-delivery under a new id.
                group.addTask { try await shopify[0].deliver(body, webhookId: webhookId).status }
                group.addTask { try await shopify[1].deliver(body, webhookId: webhookId).status }
                group.addTask { try await shopify[1].deliver(body).status }
            }
            for try await status in group { #expect(status == 200) }
        }

        let ids = orders.map { String($0.order.shopifyOrderId) }
        let orderPool = stack.pool(.order, size: 1)
        let inventoryPool = stack.pool(.inventory, size: 1)
        let notificationPool = stack.pool(.notification, size: 1)
        func settled() async throws -> Int {
            try await inventoryPool.query("SELECT count(*) AS n FROM allocations WHERE shopify_order_id = ANY(\(ids)::text[])")
                .scalar("n", as: Int64.self).map(Int.init) ?? 0
        }
        #expect(await eventually { (try? await settled()) == 14 }, "every order allocated or refused")

        let perOrder = try await orderPool.query(
            """
            SELECT shopify_order_id::text AS id, count(*) AS n FROM orders WHERE shopify_order_id = ANY(\(ids)::bigint[]) GROUP BY 1
            """
        ).map { (try $0.decode("id", as: String.self), try $0.decode("n", as: Int64.self)) }
        #expect(perOrder.count == 14 && perOrder.allSatisfy { $0.1 == 1 }, "one order per Shopify order")

        let allocated =
            try await inventoryPool.query(
                """
                SELECT count(*) AS n FROM allocations WHERE shopify_order_id = ANY(\(ids)::text[]) AND status = 'allocated'
                """
            ).scalar("n", as: Int64.self) ?? -1
        #expect(allocated == 10, "as many allocated as the stock allows")
        let left = try await InventoryHarness(ports: [28_282]).quantity(sku: sku, vendor: vendor)
        #expect(left == 20 - 2 * Int(allocated), "stock is the initial level minus what was allocated")
        #expect(left >= 0)

        // Customers: one confirmation each, and one more where the order could not be
        // fulfilled. The vendor: one email per allocated order.
        let refused = Set(
            try await inventoryPool.query(
                """
                SELECT shopify_order_id FROM allocations WHERE shopify_order_id = ANY(\(ids)::text[]) AND status = 'failed'
                """
            ).map { try $0.decode("shopify_order_id", as: String.self) }
        )
        let expectedMails = orders.map { refused.contains(String($0.order.shopifyOrderId)) ? 2 : 1 }
        let notifications = NotificationHarness(port: 0, stack: stack)
        #expect(
            await eventually {
                orders.map { notifications.mails(to: $0.email).count } == expectedMails
                    && notifications.mails(to: "\(vendor.lowercased())@vendors.example").count >= 10
            }
        )
        // A completed job is never sent again; duplicates upstream are checked where they would
        // start (one order per Shopify order above, one job per event and recipient below).
        #expect(
            await eventually {
                (try? await notificationPool.query(
                    """
                    SELECT count(*)::int AS n FROM jobs WHERE shopify_order_id = ANY(\(ids)::text[]) AND state <> 'COMPLETED'
                    """
                ).scalar("n", as: Int.self)) == 0
            },
            "every job done"
        )
        #expect(orders.map { notifications.mails(to: $0.email).count } == expectedMails, "one email per event and customer")
        #expect(notifications.mails(to: "\(vendor.lowercased())@vendors.example").count == 10, "one email per seller order")
        let jobs = try await notificationPool.query(
            """
            SELECT state, attempts, count(*) OVER (PARTITION BY event_id, channel, recipient) AS copies
            FROM jobs WHERE shopify_order_id = ANY(\(ids)::text[])
            """
        )
        #expect(refused.count == 4)
        #expect(jobs.count == 28, "14 confirmations, 10 vendor emails and 4 refusals")
        for job in jobs {
            #expect(try job.decode("copies", as: Int64.self) == 1)
            #expect(try job.decode("state", as: String.self) == "COMPLETED")
            #expect(try job.decode("attempts", as: Int.self) == 1, "sent by one replica, once")
        }
        for pool in [orderPool, inventoryPool, notificationPool] { await pool.close() }
    }
}
