import Foundation
import Hummingbird
import Messaging
import Postgres
import ServiceKit
import TestSupport
import Testing

@testable import OrderService

/// Deliveries through a running OrderService to orders and `order.confirmed` on RabbitMQ.
@Suite struct OrderProcessingTests {
    static let secret = "processing-test-secret"

    func app(port: Int) async throws -> some ApplicationProtocol {
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

    /// A queue that sees every `order.confirmed`; tests pick theirs by Shopify order id.
    func confirmedCollector() async throws -> MessageCollector {
        let topology = QueueTopology(queue: uniqueName("confirmed-q"), bindings: [OrderConfirmed.routingKey])
        let publisher = TestStack.test.publisher()
        try await publisher.declare(topology)
        await publisher.shutdown()
        return MessageCollector(topology: topology)
    }

    func confirmations(_ collector: MessageCollector, for id: Int64) throws -> [OrderConfirmed] {
        try collector.messages.filter { $0.eventType == OrderConfirmed.routingKey }
            .map { try OrderConfirmed.decode(from: $0.body) }
            .filter { $0.shopifyOrderId == String(id) }
    }

    @Test func theSampleOrderBecomesAnOrderAndOneConfirmation() async throws {
        let collector = try await confirmedCollector()
        let sample = SampleOrder(financialStatus: "paid")
        let client = ShopifyClient(base: "http://127.0.0.1:28381", secret: Self.secret)
        try await withRunningApplication(try await app(port: 28381)) {
            #expect(try await client.deliver(try sample.body()).status == 200)
            #expect(await eventually { (try? await client.order(sample.shopifyOrderId).status) == 200 })
            let view = try #require(try await client.order(sample.shopifyOrderId).view)
            // An InventoryService another test runs may already have answered (no stock for
            // the fixture's SKU in the test catalog); without one the order waits, confirmed.
            #expect(["confirmed", "allocation_failed"].contains(view.status))
            #expect(view.shopifyOrderId == String(sample.shopifyOrderId))
            #expect(view.customer.email == "john@example.com")
            #expect(view.items.map(\.sku) == ["IPOD2008PINK", "IPOD2008PINK"])
            #expect(view.items.map(\.price) == ["199.00", "199.00"])
            #expect(view.payment.method == "prepaid")
            #expect(view.payment.totalProductAmount == "398.00")
            #expect(view.payment.shippingAmount == "10.00")
            #expect(view.payment.discountAmount == "20.00")
            #expect(view.payment.totalAmount == "388.00")
            #expect(view.sellerOrders.isEmpty)

            #expect(await eventually { ((try? confirmations(collector, for: sample.shopifyOrderId)) ?? []).count == 1 })
            let message = try #require(
                collector.messages.first { (try? OrderConfirmed.decode(from: $0.body))?.shopifyOrderId == String(sample.shopifyOrderId) }
            )
            #expect(message.type == "order.confirmed")
            #expect(message.contentType == "application/json")
            #expect(message.messageId?.isEmpty == false)
            #expect(message.headers[Headers.traceparent] != nil)
            let event = try OrderConfirmed.decode(from: message.body)
            #expect(event.items.count == 2)
            #expect(event.payment.totalAmount == "388.00")
            #expect(try await client.order(1).status == 404)
        }
        await collector.stop()
    }

    @Test func retriesRedeliveriesAndConcurrentCopiesMakeOneOrder() async throws {
        let collector = try await confirmedCollector()
        let pool = TestStack.test.pool(.order, name: uniqueName("dups"))
        let sample = SampleOrder()
        let body = try sample.body()
        let client = ShopifyClient(base: "http://127.0.0.1:28382", secret: Self.secret)
        try await withRunningApplication(try await app(port: 28382)) {
            let retried = UUID().uuidString
            for _ in 0..<20 { #expect(try await client.deliver(body, webhookId: retried).status == 200) }
            for _ in 0..<10 { #expect(try await client.deliver(body, eventId: "same-event").status == 200) }
            let concurrent = UUID().uuidString
            let statuses = try await withThrowingTaskGroup(of: UInt.self) { group in
                for _ in 0..<50 { group.addTask { try await client.deliver(body, webhookId: concurrent).status } }
                return try await group.reduce(into: [UInt]()) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0 == 200 })

            let deliveries = try await pool.query("SELECT count(*)::int AS n FROM webhook_deliveries WHERE payload_sha256 = sha256(\(body))")
            #expect(try deliveries.scalar("n", as: Int.self) == 12, "one row per webhook id")
            #expect(
                await eventually {
                    (try? await pool.query(
                        """
                        SELECT count(*)::int AS n FROM webhook_deliveries WHERE payload_sha256 = sha256(\(body)) AND status = 'processed'
                        """
                    ).scalar("n", as: Int.self)) == 12
                }
            )
            #expect(await eventually { ((try? confirmations(collector, for: sample.shopifyOrderId)) ?? []).count >= 1 })
        }
        // Every confirmation published so far has arrived (the outbox below holds any other).
        try await collector.settled()
        let orders = try await pool.query("SELECT count(*)::int AS n FROM orders WHERE shopify_order_id = \(sample.shopifyOrderId)")
        #expect(try orders.scalar("n", as: Int.self) == 1)
        let events = try await pool.query(
            """
            SELECT count(*)::int AS n FROM outbox WHERE routing_key = 'order.confirmed' AND payload LIKE \("%\"shopifyOrderId\":\"\(sample.shopifyOrderId)\"%")
            """
        )
        #expect(try events.scalar("n", as: Int.self) == 1)
        #expect(try confirmations(collector, for: sample.shopifyOrderId).count == 1)
        await collector.stop()
        await pool.close()
    }

    @Test func anUpdateThatArrivesBeforeItsCreateIsNotLost() async throws {
        let pool = TestStack.test.pool(.order, name: uniqueName("early"))
        let created = SampleOrder(updatedAt: "2026-01-01T10:00:00Z", financialStatus: "pending", gateway: "Cash on Delivery (COD)")
        var updated = created
        updated.updatedAt = "2026-01-01T12:00:00Z"
        updated.financialStatus = "paid"
        let client = ShopifyClient(base: "http://127.0.0.1:28383", secret: Self.secret)
        try await withRunningApplication(try await app(port: 28383)) {
            #expect(try await client.deliver(try updated.body(), topic: "orders/updated").status == 200)
            #expect(await eventually { (try? await client.order(created.shopifyOrderId).view?.payment.status) == "paid" })
            #expect(try await client.deliver(try created.body(), topic: "orders/create").status == 200)
            // The older create changes nothing; wait until it was processed.
            #expect(
                await eventually {
                    (try? await pool.query(
                        """
                        SELECT count(*)::int AS n FROM webhook_deliveries
                        WHERE payload_sha256 = sha256(\(try created.body())) AND status = 'processed'
                        """
                    ).scalar("n", as: Int.self)) == 1
                }
            )
            let view = try #require(try await client.order(created.shopifyOrderId).view)
            #expect(view.payment.status == "paid")
            #expect(view.payment.method == "cod")
            #expect(view.payment.remainingAmount == "0.00")

            // Cancelled twice: cancelled once, one order.cancelled.
            for _ in 0..<2 {
                #expect(try await client.deliver(try updated.body(), topic: "orders/cancelled").status == 200)
            }
            #expect(await eventually { (try? await client.order(created.shopifyOrderId).view?.status) == "cancelled" })
            // Both cancellations processed: whatever they announce is in the outbox by then.
            #expect(
                await eventually {
                    (try? await pool.query(
                        """
                        SELECT count(*)::int AS n FROM webhook_deliveries
                        WHERE payload_sha256 = sha256(\(try updated.body())) AND topic = 'orders/cancelled' AND status = 'processed'
                        """
                    ).scalar("n", as: Int.self)) == 2
                }
            )
        }
        let confirmed = try await pool.query(
            """
            SELECT routing_key, count(*)::int AS n FROM outbox
            WHERE payload LIKE \("%\"shopifyOrderId\":\"\(created.shopifyOrderId)\"%")
              AND routing_key IN ('order.confirmed', 'order.cancelled')  -- not allocation results
            GROUP BY routing_key ORDER BY 1
            """
        ).map { "\(try $0.decode("routing_key", as: String.self))=\(try $0.decode("n", as: Int.self))" }
        #expect(confirmed == ["order.cancelled=1", "order.confirmed=1"])
        await pool.close()
    }

    @Test func deliveriesThatCanNeverSucceedAreMarkedFailedWithTheirReason() async throws {
        let pool = TestStack.test.pool(.order, name: uniqueName("bad"))
        let client = ShopifyClient(base: "http://127.0.0.1:28384", secret: Self.secret)
        let webhookId = UUID().uuidString
        try await withRunningApplication(try await app(port: 28384)) {
            let notAnOrder = Data(#"{"id": 5, "note": "not an order"}"#.utf8)
            let answer = try await client.deliver(notAnOrder, webhookId: webhookId)
            #expect(answer.status == 200)
            #expect(
                await eventually {
                    (try? await pool.query("SELECT status FROM webhook_deliveries WHERE webhook_id = \(webhookId)").scalar("status", as: String.self))
                        == "failed"
                }
            )
        }
        let row = try await pool.query("SELECT attempts, last_error FROM webhook_deliveries WHERE webhook_id = \(webhookId)")[0]
        #expect(try row.decode("attempts", as: Int.self) == 1, "not retried")
        #expect(try row.decode("last_error", as: String.self).contains("missing"))
        await pool.close()
    }
}
