import Foundation
import Postgres
import ServiceKit
import TestSupport
import Testing

@testable import OrderService

/// The admin list's view of deliveries a worker holds right now.
struct WebhookDeliveryListTests {
    @Test func aDeliveryAWorkerHoldsIsListedAsProcessingAndPendingAgainWhenReleased() async throws {
        let pool = TestStack.test.pool(.order, size: 3, name: uniqueName("list"))
        let runner = MigrationRunner(pool: pool, logger: testLogger)
        try await runner.apply(ServiceHost.sharedMigrations(), source: "shared")
        try await runner.apply(ServiceDefinition.ordersService.migrations, source: "service")
        let webhookId = uniqueName("claimed")
        // Due in an hour, so that the processors of other tests leave it alone.
        _ = try await pool.query(
            """
            INSERT INTO webhook_deliveries
                (webhook_id, event_id, topic, shop_domain, triggered_at, api_version, payload_sha256, payload, status, next_attempt_at)
            VALUES (\(webhookId), \(webhookId), 'orders/create', 'list.myshopify.com', '2026-11-23T10:00:00Z', '2024-10',
                    \(Data([0])), \(Data("{}".utf8)), 'pending', now() + interval '1 hour')
            """
        )
        let repository = WebhookDeliveryRepository(pool: pool)
        func listed(_ status: WebhookDeliveryStatus?) async throws -> WebhookDeliverySummary? {
            try await repository.list(status: status, limit: 1000).first { $0.webhookId == webhookId }
        }

        let worker = TestStack.test.pool(.order, size: 1, name: uniqueName("worker"))
        try await worker.withTransaction { tx in
            let claimed = try await tx.query("SELECT id FROM webhook_deliveries WHERE webhook_id = \(webhookId) FOR UPDATE")
            #expect(claimed.count == 1)
            #expect(try await listed(nil)?.status == .processing)
            #expect(try await listed(.processing)?.status == .processing)
            #expect(try await listed(.pending) == nil, "a claimed delivery is not listed as pending")
        }
        #expect(try await listed(nil)?.status == .pending)
        #expect(try await listed(.pending)?.status == .pending)
        #expect(try await listed(.processing) == nil)
        await worker.close()
        await pool.close()
    }
}
