import Foundation
import Hummingbird
import Postgres
import ServiceKit
import TestSupport
import Testing

@testable import OrderService

/// What reaches OrderService's door as a real store sends it: orders first seen cancelled,
/// payloads that can never become a correct order, blank addresses, partly prepaid COD.
@Suite struct OrderIntakeTests {
    static let secret = "intake-test-secret"

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

    /// The sample order with a new id and `changes` applied to its top level (or, through
    /// `lines`, to its line items).
    static func order(
        id: Int64 = Int64.random(in: 1_000_000_000_000_000...9_000_000_000_000_000_000),
        _ changes: [String: Any] = [:],
        lines: (([[String: Any]]) -> [[String: Any]])? = nil
    ) throws -> (id: Int64, body: Data) {
        var json = try JSONSerialization.jsonObject(with: Fixtures.data("shopify/orders-create.json")) as! [String: Any]
        json["id"] = id
        // Shopify's sample is a cancelled order; a cancellation here is a test's own change.
        json["cancelled_at"] = NSNull()
        for (key, value) in changes { json[key] = value }
        // Shopify's sample states a total of 388.00 but a current total of 398.00; the current
        // total counts, so it follows total_price unless a test sets it.
        if changes["current_total_price"] == nil { json["current_total_price"] = json["total_price"] }
        if let lines { json["line_items"] = lines(json["line_items"] as! [[String: Any]]) }
        return (id, try JSONSerialization.data(withJSONObject: json))
    }

    /// The outbox rows about one Shopify order, by routing key.
    static func announcements(_ id: Int64, pool: PostgresPool) async throws -> [String] {
        try await pool.query(
            """
            SELECT routing_key FROM outbox WHERE payload LIKE \("%\"shopifyOrderId\":\"\(id)\"%") ORDER BY id
            """
        ).map { try $0.decode("routing_key") }
    }

    static func deliveryRow(_ webhookId: String, pool: PostgresPool) async throws -> (status: String, error: String?)? {
        try await pool.query("SELECT status, last_error FROM webhook_deliveries WHERE webhook_id = \(webhookId)").first.map {
            (try $0.decode("status"), try $0.decode("last_error"))
        }
    }

    @Test func anOrderFirstSeenCancelledIsKeptCancelledTakesNothingAndIsNeverConfirmed() async throws {
        let pool = TestStack.test.pool(.order, name: uniqueName("intake"))
        let client = ShopifyClient(base: "http://127.0.0.1:28385", secret: Self.secret)
        let order = try Self.order()
        let webhookId = UUID().uuidString
        try await withRunningApplication(try await app(port: 28385)) { () async throws -> Void in
            #expect(try await client.deliver(order.body, topic: "orders/cancelled", webhookId: webhookId).status == 200)
            #expect(await eventually { (try? await Self.deliveryRow(webhookId, pool: pool))??.status == "processed" })
            #expect(try await client.order(order.id).view?.status == "cancelled")
            // The create that Shopify sent first but that arrives late changes nothing.
            #expect(try await client.deliver(order.body, topic: "orders/create").status == 200)
            #expect(
                await eventually {
                    (try? await pool.query(
                        "SELECT count(*)::int AS n FROM webhook_deliveries WHERE payload_sha256 = sha256(\(order.body)) AND status = 'processed'"
                    ).scalar("n", as: Int.self)) == 2
                }
            )
            #expect(try await client.order(order.id).view?.status == "cancelled")
            // Its refund is recorded, and restocks nothing: no stock was ever taken for it.
            let refund = SampleRefund(orderId: order.id, lines: [(SampleOrder.lineItemIds[0], 1, "cancel")], amount: "199.00")
            #expect(try await client.deliver(try refund.body(), topic: "refunds/create").status == 200)
            #expect(await eventually { (try? await client.order(order.id).view?.payment.refundedAmount) == "199.00" })
        }
        #expect(try await Self.announcements(order.id, pool: pool).isEmpty, "no order.confirmed, no order.cancelled, no order.refunded")
        await pool.close()
    }

    @Test func anyPayloadWithCancelledAtCancelsTheOrderWhenOrdersCancelledItselfIsMissing() async throws {
        let pool = TestStack.test.pool(.order, name: uniqueName("intake"))
        let client = ShopifyClient(base: "http://127.0.0.1:28388", secret: Self.secret)
        let cancelledAt = "2026-11-30T10:00:00+05:30"
        // First seen as an orders/updated that is already cancelled.
        let firstSeen = try Self.order(["cancelled_at": cancelledAt, "cancel_reason": "customer"])
        // Confirmed, then cancelled; only an orders/updated says so.
        let later = try Self.order()
        let cancelledLater = try Self.order(
            id: later.id,
            ["cancelled_at": cancelledAt, "cancel_reason": "customer", "updated_at": "2026-11-30T10:00:01+05:30"]
        )
        try await withRunningApplication(try await app(port: 28388)) { () async throws -> Void in
            let webhookId = UUID().uuidString
            #expect(try await client.deliver(firstSeen.body, topic: "orders/updated", webhookId: webhookId).status == 200)
            #expect(await eventually { (try? await Self.deliveryRow(webhookId, pool: pool))??.status == "processed" })
            #expect(try await client.order(firstSeen.id).view?.status == "cancelled")

            #expect(try await client.deliver(later.body, topic: "orders/create").status == 200)
            #expect(await eventually { (try? await client.order(later.id).view?.status) == "confirmed" })
            #expect(try await client.deliver(cancelledLater.body, topic: "orders/updated").status == 200)
            #expect(await eventually { (try? await client.order(later.id).view?.status) == "cancelled" })
            // orders/cancelled arriving after all changes nothing more.
            let cancelledTopic = UUID().uuidString
            #expect(try await client.deliver(cancelledLater.body, topic: "orders/cancelled", webhookId: cancelledTopic).status == 200)
            #expect(await eventually { (try? await Self.deliveryRow(cancelledTopic, pool: pool))??.status == "processed" })
        }
        #expect(try await Self.announcements(firstSeen.id, pool: pool).isEmpty, "never confirmed, takes no stock")
        // (Another test's InventoryService, on the same queue, may answer the confirmation.)
        let announced = try await Self.announcements(later.id, pool: pool).filter { $0.hasPrefix("order.c") }
        #expect(announced == ["order.confirmed", "order.cancelled"], "cancelled once: \(announced)")
        await pool.close()
    }

    @Test func payloadsThatCannotBecomeACorrectOrderAreRefusedWithTheirReasonAndSendNothing() async throws {
        let pool = TestStack.test.pool(.order, name: uniqueName("intake"))
        let client = ShopifyClient(base: "http://127.0.0.1:28386", secret: Self.secret)
        let cases: [(order: (id: Int64, body: Data), reason: String)] = [
            (
                try Self.order(lines: { lines in
                    lines.map {
                        var line = $0
                        line["id"] = 42
                        return line
                    }
                }), "appears more than once"
            ),
            (try Self.order(lines: { lines in [lines[0].merging(["quantity": 3_000_000_000]) { $1 }] }), "more than 100000"),
            (try Self.order(lines: { lines in [lines[0].merging(["price": "99999999999999.00"]) { $1 }] }), "price is not an amount"),
            (try Self.order(lines: { _ in [] }), "no line items"),
            (try Self.order(["total_price": "-5.00"]), "total_price is not an amount"),
            (try Self.order(["cancelled_at": "yesterday"]), "cancelled_at is not an ISO 8601 time"),
            (try Self.order(["total_discounts": "99999999999999999.00"]), "total_discounts is not an amount"),
            (
                try Self.order(lines: { lines in [lines[0].merging(["quantity": 100_000, "price": "99999999.00"]) { $1 }] }),
                "add up to more than"
            ),
        ]
        try await withRunningApplication(try await app(port: 28386)) { () async throws -> Void in
            for (order, reason) in cases {
                let webhookId = UUID().uuidString
                #expect(try await client.deliver(order.body, webhookId: webhookId).status == 200, "stored, then refused")
                #expect(await eventually { (try? await Self.deliveryRow(webhookId, pool: pool))??.status == "failed" }, "\(reason)")
                let row = try #require(try await Self.deliveryRow(webhookId, pool: pool))
                #expect(row.error?.contains(reason) == true, "\(row.error ?? "no error") names \(reason)")
                #expect(try await client.order(order.id).status == 404, "no order for \(reason)")
                #expect(try await Self.announcements(order.id, pool: pool).isEmpty)
            }
        }
        await pool.close()
    }

    @Test func aBlankOrMalformedEmailIsNoEmailAndAPartlyPrepaidCODOrderIsPartial() async throws {
        let client = ShopifyClient(base: "http://127.0.0.1:28387", secret: Self.secret)
        var customer = try #require(
            (try JSONSerialization.jsonObject(with: Fixtures.data("shopify/orders-create.json")) as? [String: Any])?["customer"]
                as? [String: Any]
        )
        customer["id"] = Int64.random(in: 1_000_000_000...9_000_000_000)
        customer["email"] = "   "
        let order = try Self.order([
            "email": "", "customer": customer, "financial_status": "partially_paid", "gateway": "shopify_payments",
            "payment_gateway_names": ["shopify_payments", "Cash on Delivery (COD)"], "total_outstanding": "300.00",
        ])
        try await withRunningApplication(try await app(port: 28387)) { () async throws -> Void in
            #expect(try await client.deliver(order.body).status == 200)
            #expect(await eventually { (try? await client.order(order.id).status) == 200 })
            let view = try #require(try await client.order(order.id).view)
            #expect(view.customer.email == nil, "not \"\" nor blanks")
            #expect(view.payment.method == "partial")
            #expect(view.payment.collectedAmount == "88.00", "the advance paid online: 388.00 less 300.00 outstanding")
            #expect(view.payment.remainingAmount == "300.00")
        }
    }
}
