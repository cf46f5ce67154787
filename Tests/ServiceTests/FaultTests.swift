import Foundation
import Messaging
import Postgres
import ServiceKit
import TestSupport
import Testing

@testable import InventoryService
@testable import OrderService

/// Tests that stop and restart PostgreSQL and RabbitMQ. They use the separate "fault" stack
/// and run one at a time.
@Suite(.serialized) struct FaultTests {
    let stack = TestStack.fault

    static let port = 28_181
    let readyURL = "http://127.0.0.1:\(port)/health/ready"

    func orderServiceConfiguration() throws -> OrderServiceConfiguration {
        try OrderServiceConfiguration(
            environment: Environment([
                "DATABASE_URL": stack.databaseURL(.order), "AMQP_URL": stack.amqpURL,
                "HOST": "127.0.0.1", "PORT": "\(Self.port)", "ADMIN_TOKEN": "t", "LOG_LEVEL": "critical",
                "SHOPIFY_WEBHOOK_SECRETS": "fault-secret",
            ])
        )
    }

    func ready() async -> Bool { await statusOf(readyURL) == 200 }
    func unavailable() async -> Bool { await statusOf(readyURL) == 503 }

    /// Runs `body` with one server stopped, and starts it again whatever happens.
    func whileStopped<T>(_ server: String, _ body: () async throws -> T) async throws -> T {
        try await stack.infra("\(server)-stop")
        do {
            let value = try await body()
            try await stack.infra("\(server)-start")
            return value
        } catch {
            _ = try? await stack.infra("\(server)-start")
            throw error
        }
    }

    /// An event committed while the broker is down is published once it is back, by the
    /// service's relay; a consumer that was running before the outage receives it.
    @Test func eventCommittedWhileBrokerIsDownIsPublishedWhenItReturns() async throws {
        let app = try await OrderService.buildApplication(try orderServiceConfiguration())
        let publisher = stack.publisher()
        let key = "test.outage.\(uniqueName("k"))"
        let topology = QueueTopology(queue: uniqueName("outage-q"), bindings: [key], retryDelay: .milliseconds(100))
        try await publisher.declare(topology)
        let collector = MessageCollector(stack: stack, topology: topology)
        let pool = stack.pool(.order, name: uniqueName("outage"))

        try await withRunningApplication(app) {
            #expect(await eventually { await ready() })
            let rolledBack = UUID()
            let committed = try await whileStopped("rabbit") {
                #expect(await eventually { await unavailable() }, "readiness reports the broker down")

                struct Abort: Error {}
                try? await pool.withTransaction { tx in
                    try await Outbox.enqueue(routingKey: key, payload: Data(#"{"kept":false}"#.utf8), messageId: rolledBack, in: tx)
                    throw Abort()
                }
                let committed = try await pool.withTransaction { tx in
                    try await Outbox.enqueue(routingKey: key, payload: Data(#"{"kept":true}"#.utf8), in: tx)
                }
                #expect(
                    await eventually {
                        (try? await pool.query(
                            """
                            SELECT 1 FROM outbox
                            WHERE message_id = \(committed) AND published_at IS NULL AND last_error IS NOT NULL AND attempts >= 3
                            """
                        ).count) == 1
                    },
                    "the relay kept trying to publish it while the broker was down"
                )
                return committed
            }

            let messages = await collector.wait(for: 1)
            #expect(messages.map(\.messageId) == [committed.uuidString.lowercased()])
            #expect(await eventually { await ready() }, "readiness recovers")
            #expect(try await pool.query("SELECT 1 FROM outbox WHERE message_id = \(rolledBack)").isEmpty)
            #expect(try await collector.settled().count == 1, "the rolled-back event is never published")
        }
        await collector.stop()
        await publisher.shutdown()
        await pool.close()
    }

    /// Readiness goes 503 while PostgreSQL is down and 200 once it is back, a webhook that
    /// cannot be stored meanwhile is answered 503 (so Shopify sends it again) and stored when
    /// it comes again, and the service's relay goes on publishing.
    @Test func serviceSurvivesAPostgresRestart() async throws {
        let app = try await OrderService.buildApplication(try orderServiceConfiguration())
        let publisher = stack.publisher()
        let key = "test.pgrestart.\(uniqueName("k"))"
        let topology = QueueTopology(queue: uniqueName("pgrestart-q"), bindings: [key])
        try await publisher.declare(topology)
        let collector = MessageCollector(stack: stack, topology: topology)

        try await withRunningApplication(app) {
            #expect(await eventually { await ready() })
            let shopify = ShopifyClient(base: "http://127.0.0.1:\(Self.port)", secret: "fault-secret")
            let webhookId = UUID().uuidString
            let body = try SampleOrder().body()
            try await whileStopped("pg") { () async throws in
                #expect(await eventually { await unavailable() }, "readiness reports the database down")
                let refused = try await shopify.deliver(body, webhookId: webhookId)
                #expect(refused.status == 503, "not stored, so not acknowledged")
            }
            #expect(await eventually { await ready() }, "readiness recovers")
            let retried = try await shopify.deliver(body, webhookId: webhookId)
            #expect(retried.status == 200)
            #expect(retried.body == #"{"status":"stored"}"#, "stored on Shopify's retry, not before")

            let pool = stack.pool(.order, name: uniqueName("pgrestart"))
            let id = try await pool.withTransaction { tx in
                try await Outbox.enqueue(routingKey: key, payload: Data("{}".utf8), in: tx)
            }
            let messages = await collector.wait(for: 1)
            #expect(messages.map(\.messageId) == [id.uuidString.lowercased()])
            await pool.close()
        }
        await collector.stop()
        await publisher.shutdown()
    }

    /// A 14 s PostgreSQL outage, as InventoryService meets it: its consumer holds the
    /// confirmations it takes while the database is down and readiness says so, then handles
    /// each once the database is back, and none is dead-lettered (one would never be
    /// allocated). The attempts an outage does not use are counted in
    /// `ConsumerTests.anOutageUsesUpNoAttemptsAndTheMessageIsHandledWhenItEnds`.
    @Test func aDatabaseOutageLongerThanTheRetriesDeadLettersNothing() async throws {
        let port = 28_185
        let ready = "http://127.0.0.1:\(port)/health/ready"
        let app = try await InventoryService.buildApplication(
            try InventoryServiceConfiguration(
                environment: Environment([
                    "DATABASE_URL": stack.databaseURL(.inventory), "AMQP_URL": stack.amqpURL,
                    "HOST": "127.0.0.1", "PORT": "\(port)", "ADMIN_TOKEN": "t", "LOG_LEVEL": "critical",
                ])
            )
        )
        let harness = InventoryHarness(ports: [port])
        let publisher = stack.publisher()
        let orders = (0..<3).map { _ in uniqueName("outage-order") }
        try await withRunningApplication(app) { () async throws -> Void in
            #expect(await eventually { await statusOf(ready) == 200 })
            try await whileStopped("pg") { () async throws -> Void in
                for order in orders { try await harness.confirm(order, lines: [(harness.id("sku"), 1)], publisher: publisher) }
                // Longer than the five attempts would last if the outage used them up.
                try await Task.sleep(for: .seconds(14))
                let answer = try await HTTPTest.get(ready)
                #expect(answer.status == 503)
                #expect(answer.body.contains("waiting out an outage"), "readiness says why: \(answer.body)")
            }
            let pool = stack.pool(.inventory, name: uniqueName("outage"))
            #expect(
                await eventually { (try? await harness.allocationStatuses(orders, pool: pool).count) == orders.count },
                "each confirmation handled once the database is back"
            )
            #expect(await eventually { await statusOf(ready) == 200 }, "ready again")
            await pool.close()
        }
        await publisher.shutdown()
    }

    /// A worker that dies after claiming a delivery and doing its work, before committing,
    /// leaves nothing behind; another worker skips the delivery while it is claimed, then
    /// processes it once.
    @Test func aWorkerKilledMidProcessingLeavesTheDeliveryToBeProcessedOnceLater() async throws {
        let pool = stack.pool(.order, size: 3, name: uniqueName("crash"))
        let runner = MigrationRunner(pool: pool, logger: testLogger)
        try await runner.apply(ServiceHost.sharedMigrations(), source: "shared")
        try await runner.apply(ServiceDefinition.ordersService.migrations, source: "service")
        let sample = SampleOrder()
        let body = try sample.body()
        let webhookId = UUID().uuidString
        let headers = ShopifyWebhookHeaders(
            topic: "orders/create",
            shopDomain: "crash.myshopify.com",
            webhookId: webhookId,
            eventId: webhookId,
            triggeredAt: "2026-11-23T10:00:00Z",
            apiVersion: "2024-10"
        )
        #expect(try await WebhookDeliveryRepository(pool: pool).insert([ReceivedWebhook(headers: headers, payload: body)]) == [webhookId])

        let survivor = WebhookProcessor(pool: pool, logger: testLogger)
        let doomed = stack.pool(.order, size: 1, name: uniqueName("doomed"))
        let error = await #expect(throws: PostgresError.self) {
            try await doomed.withTransaction { tx in
                let claimed = try await tx.query(
                    """
                    SELECT id FROM webhook_deliveries WHERE webhook_id = \(webhookId) AND status = 'pending'
                    FOR UPDATE SKIP LOCKED
                    """
                )
                #expect(claimed.count == 1)
                let outcome = try await OrderWebhookHandler().handle(
                    topic: .ordersCreate,
                    shopDomain: headers.shopDomain,
                    order: try OrderWebhookHandler.parse(body),
                    traceparent: nil,
                    in: tx
                )
                try await Outbox.enqueue(outcome.events, in: tx)
                #expect(try await survivor.processBatch() == 0, "a claimed delivery is skipped by other workers")
                _ = try await tx.query("SELECT pg_terminate_backend(pg_backend_pid())")  // dies before COMMIT
            }
        }
        #expect(error?.isConnectionFailure == true)
        await doomed.close()

        #expect(try await survivor.processBatch() == 1)
        let delivery = try await pool.query("SELECT status, attempts FROM webhook_deliveries WHERE webhook_id = \(webhookId)")[0]
        #expect(try delivery.decode("status", as: String.self) == "processed")
        #expect(try delivery.decode("attempts", as: Int.self) == 1)
        let orders = try await pool.query("SELECT count(*)::int AS n FROM orders WHERE shopify_order_id = \(sample.shopifyOrderId)")
        #expect(try orders.scalar("n", as: Int.self) == 1)
        let events = try await pool.query(
            """
            SELECT count(*)::int AS n FROM outbox
            WHERE routing_key = 'order.confirmed' AND payload LIKE \("%\"shopifyOrderId\":\"\(sample.shopifyOrderId)\"%")
            """
        )
        #expect(try events.scalar("n", as: Int.self) == 1)
        #expect(try await survivor.processBatch() == 0, "nothing left to do")
        await pool.close()
    }
    /// A batch is processed without savepoints first; one delivery that fails (here one the
    /// payload check refuses and one PostgreSQL refuses mid-insert, through a trigger) sends the batch through
    /// again with a savepoint per delivery: the good ones commit, each bad one is recorded.
    @Test func aFailingDeliveryDoesNotHoldBackTheOthersInItsBatch() async throws {
        let pool = stack.pool(.order, size: 2, name: uniqueName("batch"))
        let runner = MigrationRunner(pool: pool, logger: testLogger)
        try await runner.apply(ServiceHost.sharedMigrations(), source: "shared")
        try await runner.apply(ServiceDefinition.ordersService.migrations, source: "service")
        let good = (0..<3).map { _ in SampleOrder() }
        let badTime = SampleOrder(updatedAt: "yesterday")
        let refusedByDatabase = SampleOrder()
        var deliveries = try good.map { ($0.shopifyOrderId, try $0.body()) }
        deliveries.append((badTime.shopifyOrderId, try badTime.body()))
        deliveries.append((refusedByDatabase.shopifyOrderId, try refusedByDatabase.body()))
        // PostgreSQL refuses that order mid-insert: a trigger of the test's own raises for it.
        let trigger = uniqueName("refuse")
        _ = try await pool.query(
            PostgresQuery(
                unsafeSQL: """
                    CREATE FUNCTION \(trigger)() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                        IF NEW.shopify_order_id = \(refusedByDatabase.shopifyOrderId) THEN RAISE EXCEPTION 'refused by the test'; END IF;
                        RETURN NEW;
                    END $$
                    """
            )
        )
        _ = try await pool.query(
            PostgresQuery(unsafeSQL: "CREATE TRIGGER \(trigger) BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION \(trigger)()")
        )
        let received = deliveries.map { id, body in
            ReceivedWebhook(
                headers: ShopifyWebhookHeaders(
                    topic: "orders/create",
                    shopDomain: "batch.myshopify.com",
                    webhookId: "batch-\(id)",
                    eventId: "batch-\(id)",
                    triggeredAt: "2026-11-23T10:00:00Z",
                    apiVersion: "2024-10"
                ),
                payload: body
            )
        }
        #expect(try await WebhookDeliveryRepository(pool: pool).insert(received).count == 5)

        let processor = WebhookProcessor(pool: pool, settings: .init(batchSize: 50), logger: testLogger)
        #expect(try await processor.processBatch() >= 5)
        func delivery(_ order: SampleOrder) async throws -> (String, Int, String?) {
            let row = try await pool.query(
                """
                SELECT status, attempts, last_error FROM webhook_deliveries WHERE webhook_id = \("batch-\(order.shopifyOrderId)")
                """
            )[0]
            return (try row.decode("status"), try row.decode("attempts"), try row.decode("last_error"))
        }
        for order in good {
            let (status, attempts, error) = try await delivery(order)
            #expect(status == "processed" && attempts == 1 && error == nil)
            let stored = try await pool.query(
                """
                SELECT (SELECT count(*) FROM order_items i WHERE i.order_id = o.id)::int AS items, p.total_amount::text AS total
                FROM orders o JOIN payments p ON p.order_id = o.id WHERE o.shopify_order_id = \(order.shopifyOrderId)
                """
            )
            #expect(stored.count == 1)
            #expect(try stored.first?.decode("items", as: Int.self) == 2)
            #expect(try stored.first?.decode("total", as: String.self) == "388.0000")
        }
        let refused = try await delivery(badTime)
        #expect(refused.0 == "failed" && refused.1 == 1 && refused.2?.contains("updated_at") == true)
        let retried = try await delivery(refusedByDatabase)
        #expect(retried.0 == "pending" && retried.1 == 1 && retried.2 != nil, "a database error is retried later")
        _ = try await pool.query(PostgresQuery(unsafeSQL: "DROP TRIGGER \(trigger) ON orders"))
        _ = try await pool.query(PostgresQuery(unsafeSQL: "DROP FUNCTION \(trigger)()"))
        let strays = try await pool.query(
            """
            SELECT count(*)::int AS n FROM orders WHERE shopify_order_id = ANY(\([badTime.shopifyOrderId, refusedByDatabase.shopifyOrderId])::bigint[])
            """
        )
        #expect(try strays.scalar("n", as: Int.self) == 0, "nothing of a failed delivery is kept")
        await pool.close()
    }

    /// One batch holding an order's create, a newer update, its cancellation and a copy of its
    /// create (and another order's create): the batch locks the orders once, and each delivery
    /// sees what the ones before it did: one order, updated, cancelled once, one event each.
    @Test func oneBatchWithAnOrdersWholeLifeAppliesEachStepOnce() async throws {
        let pool = stack.pool(.order, size: 2, name: uniqueName("life"))
        let runner = MigrationRunner(pool: pool, logger: testLogger)
        try await runner.apply(ServiceHost.sharedMigrations(), source: "shared")
        try await runner.apply(ServiceDefinition.ordersService.migrations, source: "service")
        let order = SampleOrder(financialStatus: "pending")
        var updated = order
        updated.financialStatus = "paid"
        updated.updatedAt = "2022-01-01T10:00:00-05:00"
        var cancelled = updated
        cancelled.updatedAt = "2022-01-02T10:00:00-05:00"
        let other = SampleOrder()
        // Named so that they are stored (in webhook id order) and so processed in the order of the
        // order's life: an orders/cancelled processed first would make an order never confirmed.
        let steps: [(String, String, Data)] = [
            ("1-create", "orders/create", try order.body()), ("2-update", "orders/updated", try updated.body()),
            ("3-cancel", "orders/cancelled", try cancelled.body()), ("4-copy", "orders/create", try order.body()),
            ("5-other", "orders/create", try other.body()),
        ]
        let received = steps.map { name, topic, body in
            ReceivedWebhook(
                headers: ShopifyWebhookHeaders(
                    topic: topic,
                    shopDomain: "life.myshopify.com",
                    webhookId: "life-\(order.shopifyOrderId)-\(name)",
                    eventId: "life-\(order.shopifyOrderId)-\(name)",
                    triggeredAt: "2026-11-24T10:00:00Z",
                    apiVersion: "2024-10"
                ),
                payload: body
            )
        }
        #expect(try await WebhookDeliveryRepository(pool: pool).insert(received).count == 5)

        let processor = WebhookProcessor(pool: pool, settings: .init(batchSize: 50), logger: testLogger)
        #expect(try await processor.processBatch() >= 5)
        let statuses = try await pool.query(
            """
            SELECT status FROM webhook_deliveries WHERE webhook_id LIKE \("life-\(order.shopifyOrderId)-%")
            """
        ).map { try $0.decode("status", as: String.self) }
        #expect(statuses == Array(repeating: "processed", count: 5))
        let stored = try await pool.query(
            """
            SELECT status, financial_status FROM orders WHERE shop_domain = 'life.myshopify.com' AND shopify_order_id = \(order.shopifyOrderId)
            """
        )
        #expect(stored.count == 1)
        #expect(try stored.first?.decode("status", as: String.self) == "cancelled")
        #expect(try stored.first?.decode("financial_status", as: String.self) == "paid")
        func events(_ key: String, _ shopifyId: Int64) async throws -> Int {
            try await pool.query(
                """
                SELECT count(*)::int AS n FROM outbox
                WHERE routing_key = \(key) AND (payload::jsonb)->>'shopifyOrderId' = \(String(shopifyId))
                """
            ).scalar("n", as: Int.self) ?? -1
        }
        #expect(try await events(EventRoute.orderConfirmed.routingKey, order.shopifyOrderId) == 1)
        #expect(try await events(EventRoute.orderCancelled.routingKey, order.shopifyOrderId) == 1)
        #expect(try await events(EventRoute.orderConfirmed.routingKey, other.shopifyOrderId) == 1)
        await pool.close()
    }
}
