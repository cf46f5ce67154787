import Foundation
import Postgres
import ServiceKit
import TestSupport
import Testing

@testable import Messaging
@testable import OrderService

/// OrderService's allocation results handled as a batch, in one transaction: each order still
/// waiting is split once (a copy of a result in the same batch changes nothing), an order that
/// moved on is left alone, and a result that cannot apply fails the whole batch with nothing
/// written, so that the consumer handles its messages one by one.
///
/// The orders are written straight to the database, without `order.confirmed`, so no other
/// test's InventoryService allocates them meanwhile.
@Suite struct AllocationBatchTests {
    let shop = "batch-\(UUID().uuidString.prefix(8)).myshopify.com"

    @Test func aBatchSplitsEachWaitingOrderOnceAndLeavesTheOthersAlone() async throws {
        let pool = try await migratedPool()
        let consumer = AllocationResultConsumer(pool: pool, logger: testLogger)
        let first = try await createOrder(in: pool)
        let second = try await createOrder(in: pool)
        let cancelled = try await createOrder(in: pool)
        _ = try await pool.query("UPDATE orders SET status = 'cancelled' WHERE id = \(cancelled.id)")

        try await consumer.handle(batch: [
            message(first, vendors: ["V1", "V2"]), message(second, vendors: ["V1", "V1"]),
            message(first, vendors: ["V1", "V2"]), message(cancelled, vendors: ["V1", "V2"]),
        ])

        #expect(try await status(first.id, in: pool) == "allocated")
        #expect(try await status(second.id, in: pool) == "allocated")
        #expect(try await status(cancelled.id, in: pool) == "cancelled")
        #expect(try await sellerOrders(first.id, in: pool) == ["\(first.id)-1:V1:1", "\(first.id)-2:V2:1"])
        #expect(try await sellerOrders(second.id, in: pool) == ["\(second.id)-1:V1:2"])
        #expect(try await sellerOrders(cancelled.id, in: pool).isEmpty)
        #expect(try await announcements(first.id, in: pool) == 1, "one order.allocated for a result delivered twice")
        #expect(try await announcements(second.id, in: pool) == 1)
        #expect(try await announcements(cancelled.id, in: pool) == 0)
        await pool.close()
    }

    @Test func aResultThatCannotApplyFailsTheBatchWithNothingWritten() async throws {
        let pool = try await migratedPool()
        let consumer = AllocationResultConsumer(pool: pool, logger: testLogger)
        let order = try await createOrder(in: pool)
        var unknown = order
        unknown.id = 9_000_000_000_000 + Int64.random(in: 0..<1_000_000)

        await #expect(throws: PermanentMessageError.self) {
            try await consumer.handle(batch: [message(order, vendors: ["V1", "V2"]), message(unknown, vendors: ["V1", "V2"])])
        }
        var partial = try await createOrder(in: pool)
        partial.lineItemIds.removeLast()
        await #expect(throws: PermanentMessageError.self) {
            try await consumer.handle(batch: [message(order, vendors: ["V1", "V2"]), message(partial, vendors: ["V1"])])
        }
        for id in [order.id, partial.id] {
            #expect(try await status(id, in: pool) == "confirmed")
            #expect(try await sellerOrders(id, in: pool).isEmpty)
            #expect(try await announcements(id, in: pool) == 0)
        }

        // On its own, as the consumer's fallback handles it, the good result applies.
        try await consumer.split(message(order, vendors: ["V1", "V2"]))
        #expect(try await status(order.id, in: pool) == "allocated")
        #expect(try await announcements(order.id, in: pool) == 1)
        await pool.close()
    }

    func migratedPool() async throws -> PostgresPool {
        let pool = TestStack.test.pool(.order, name: uniqueName("alloc-batch"))
        let runner = MigrationRunner(pool: pool, logger: testLogger)
        try await runner.apply(ServiceHost.sharedMigrations(), source: "shared")
        try await runner.apply(ServiceDefinition.ordersService.migrations, source: "service")
        return pool
    }

    struct StoredOrder {
        var id: Int64
        var lineItemIds: [Int64]
    }

    /// The Shopify sample order (two line items) as OrderService stores it, without its event.
    func createOrder(in pool: PostgresPool) async throws -> StoredOrder {
        let order = try OrderWebhookHandler.parse(try SampleOrder().body())
        let repository = OrderRepository()
        let shop = self.shop
        let id = try await pool.withTransaction { tx -> Int64 in
            let customer = try await repository.upsertCustomer(order.customer, fallbackEmail: order.email, shopDomain: shop, in: tx)
            return try #require(
                try await repository.insertOrder(
                    order,
                    payment: try PaymentSummary(order: order),
                    updatedAt: Date(),
                    customerId: customer,
                    shopDomain: shop,
                    in: tx
                )
            )
        }
        let lines = try await pool.query("SELECT shopify_line_item_id FROM order_items WHERE order_id = \(id) ORDER BY id")
        return StoredOrder(id: id, lineItemIds: try lines.map { try $0.decode("shopify_line_item_id") })
    }

    /// InventoryService's result for `order`: its line items, in order, from `vendors`.
    func message(_ order: StoredOrder, vendors: [String]) throws -> IncomingMessage {
        let result = InventoryAllocated(
            orderId: String(order.id),
            lines: zip(order.lineItemIds, vendors).map { line, vendor in
                .init(
                    lineItemId: String(line),
                    sku: "IPOD2008PINK",
                    quantity: 1,
                    vendorId: vendor,
                    vendorName: "Vendor \(vendor)",
                    vendorEmail: "\(vendor.lowercased())@vendors.example",
                    hubId: nil,
                    flow: "NORMAL"
                )
            }
        )
        return IncomingMessage(
            messageId: UUID().uuidString,
            routingKey: InventoryAllocated.routingKey,
            type: InventoryAllocated.routingKey,
            exchange: "marketplace",
            body: try result.encoded(),
            headers: [:],
            contentType: "application/json",
            timestamp: nil,
            redelivered: false,
            deliveryTag: 1
        )
    }

    func status(_ id: Int64, in pool: PostgresPool) async throws -> String {
        try await pool.query("SELECT status FROM orders WHERE id = \(id)")[0].decode("status")
    }

    /// Each seller order as "split id:vendor:items".
    func sellerOrders(_ id: Int64, in pool: PostgresPool) async throws -> [String] {
        try await pool.query(
            """
            SELECT s.split_order_id, s.vendor_id, count(i.order_item_id) AS items
            FROM seller_orders s JOIN seller_order_items i ON i.seller_order_id = s.id
            WHERE s.order_id = \(id) GROUP BY s.id ORDER BY s.split_order_id
            """
        ).map {
            "\(try $0.decode("split_order_id", as: String.self)):\(try $0.decode("vendor_id", as: String.self)):\(try $0.decode("items", as: Int64.self))"
        }
    }

    func announcements(_ id: Int64, in pool: PostgresPool) async throws -> Int64 {
        try await pool.query(
            """
            SELECT count(*) AS n FROM outbox
            WHERE routing_key = \(OrderAllocated.routingKey) AND (payload::jsonb)->>'orderId' = \(String(id))
            """
        )[0].decode("n")
    }
}
