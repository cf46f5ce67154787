import Foundation
import Hummingbird
import Postgres
import ServiceKit
import TestSupport
import Testing

@testable import OrderService

/// `POST /webhooks/shopify` and the admin endpoints over it, against a running OrderService.
@Suite(.serialized) struct ShopifyWebhookTests {
    static let port = 28_281
    static let secret = "webhook-test-secret"
    let base = "http://127.0.0.1:\(port)"
    let sample: Data

    init() throws {
        sample = try Fixtures.data("shopify/orders-create.json")
    }

    func app() async throws -> some ApplicationProtocol {
        try await OrderService.buildApplication(
            try OrderServiceConfiguration(
                environment: Environment([
                    "DATABASE_URL": TestStack.test.databaseURL(.order), "AMQP_URL": TestStack.test.amqpURL,
                    "HOST": "127.0.0.1", "PORT": "\(Self.port)", "ADMIN_TOKEN": "admin", "LOG_LEVEL": "error",
                    "SHOPIFY_WEBHOOK_SECRETS": "rotated-out-secret,\(Self.secret)",
                ])
            )
        )
    }

    func headers(webhookId: String, topic: String = "orders/create", body: Data, secret: String = secret) -> [String: String] {
        [
            "x-shopify-topic": topic, "X-SHOPIFY-HMAC-SHA256": ShopifySignature.sign(body, secret: secret),
            "X-Shopify-Shop-Domain": "test-shop.myshopify.com", "X-Shopify-Webhook-Id": webhookId,
            "X-Shopify-Event-Id": "evt-\(webhookId)", "X-Shopify-Triggered-At": "2026-11-23T10:00:00.000Z",
            "X-Shopify-API-Version": "2024-10",
        ]
    }

    @Test func aDeliveryIsStoredExactlyOnceHoweverOftenItIsRetried() async throws {
        let pool = TestStack.test.pool(.order, name: uniqueName("webhooks"))
        let webhookId = UUID().uuidString
        try await withRunningApplication(try await app()) {
            let first = try await post("/webhooks/shopify", body: sample, headers: headers(webhookId: webhookId, body: sample))
            #expect(first.status == 200)
            #expect(first.body == #"{"status":"stored"}"#)
            let statuses = try await withThrowingTaskGroup(of: UInt.self) { group in
                for _ in 0..<19 {
                    group.addTask { try await post("/webhooks/shopify", body: sample, headers: headers(webhookId: webhookId, body: sample)).status }
                }
                return try await group.reduce(into: [UInt]()) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: 200, count: 19))
        }
        let rows = try await pool.query(
            "SELECT payload, payload_sha256, status, topic, event_id FROM webhook_deliveries WHERE webhook_id = \(webhookId)"
        )
        #expect(rows.count == 1)
        #expect(try rows[0].decode("payload", as: Data.self) == sample, "stored byte for byte as signed")
        // Stored as pending; the service's processor may have taken it on since.
        #expect(["pending", "processed"].contains(try rows[0].decode("status", as: String.self)))
        #expect(try rows[0].decode("event_id", as: String.self) == "evt-\(webhookId)")
        await pool.close()
    }

    @Test func badRequestsAreRefusedAndStoreNothing() async throws {
        let pool = TestStack.test.pool(.order, name: uniqueName("webhooks"))
        var cases: [(name: String, status: UInt, body: Data, headers: [String: String])] = []
        func id() -> String { UUID().uuidString }
        var unsigned = headers(webhookId: id(), body: sample)
        unsigned["X-SHOPIFY-HMAC-SHA256"] = nil
        cases.append(("unsigned", 401, sample, unsigned))
        cases.append(("wrong secret", 401, sample, headers(webhookId: id(), body: sample, secret: "guess")))
        var tampered = headers(webhookId: id(), body: sample)
        tampered["X-SHOPIFY-HMAC-SHA256"] = ShopifySignature.sign(Data("{}".utf8), secret: Self.secret)
        cases.append(("signature of another body", 401, sample, tampered))
        var noTopic = headers(webhookId: id(), body: sample)
        noTopic["x-shopify-topic"] = nil
        cases.append(("missing topic", 400, sample, noTopic))
        var noEvent = headers(webhookId: id(), body: sample)
        noEvent["X-Shopify-Event-Id"] = ""
        cases.append(("empty event id", 400, sample, noEvent))
        for body in ["not json", "[1,2]", "\"text\"", "{\"unterminated\": "] {
            let data = Data(body.utf8)
            cases.append(("body \(body)", 400, data, headers(webhookId: id(), body: data)))
        }
        let huge = Data(count: 5 * 1024 * 1024 + 1)
        cases.append(("over 5 MiB", 413, huge, headers(webhookId: id(), body: huge)))

        try await withRunningApplication(try await app()) {
            for testCase in cases {
                let response = try await post("/webhooks/shopify", body: testCase.body, headers: testCase.headers)
                #expect(response.status == testCase.status, "\(testCase.name)")
                let webhookId = testCase.headers["X-Shopify-Webhook-Id"] ?? ""
                let stored = try await pool.query("SELECT 1 FROM webhook_deliveries WHERE webhook_id = \(webhookId)")
                #expect(stored.isEmpty, "\(testCase.name) stored nothing")
            }
        }
        await pool.close()
    }

    @Test func otherTopicsAreStoredAsIgnoredAndTheAdminCanListAndReplay() async throws {
        let webhookId = UUID().uuidString
        let body = Data(#"{"id": 1}"#.utf8)
        try await withRunningApplication(try await app()) {
            let response = try await post(
                "/webhooks/shopify",
                body: body,
                headers: headers(webhookId: webhookId, topic: "products/update", body: body)
            )
            #expect(response.status == 200)

            #expect(try await post("/admin/webhooks/1/replay", body: Data(), headers: [:]).status == 401)
            #expect(try await get("/admin/webhooks", token: nil).status == 401)
            #expect(try await get("/admin/webhooks?status=bogus", token: "admin").status == 400)
            let listed = try await get("/admin/webhooks?status=ignored&limit=50", token: "admin")
            #expect(listed.status == 200)
            let deliveries = try JSONDecoder().decode([Listed].self, from: Data(listed.body.utf8))
            let raw = try JSONSerialization.jsonObject(with: Data(listed.body.utf8)) as? [[String: Any]]
            #expect(
                raw?.allSatisfy { Set($0.keys).isSuperset(of: ["id", "webhookId", "eventId", "topic", "status", "attempts", "lastError"]) } == true,
                "every field docs/api.md lists is present, lastError as null"
            )
            let mine = try #require(deliveries.first { $0.webhookId == webhookId })
            #expect(mine.status == "ignored")
            #expect(mine.topic == "products/update")
            #expect(deliveries.map(\.id) == deliveries.map(\.id).sorted(by: >), "newest first")

            let replayed = try await post("/admin/webhooks/\(mine.id)/replay", body: Data(), headers: ["Authorization": "Bearer admin"])
            #expect(replayed.status == 202)
            #expect(try JSONDecoder().decode(Listed.self, from: Data(replayed.body.utf8)).status == "pending")
            #expect(try await post("/admin/webhooks/999999999/replay", body: Data(), headers: ["Authorization": "Bearer admin"]).status == 404)
            #expect(try await post("/admin/webhooks/abc/replay", body: Data(), headers: ["Authorization": "Bearer admin"]).status == 400)
        }
    }

    struct Listed: Decodable {
        var id: Int64
        var webhookId: String
        var topic: String
        var status: String
    }

    func post(_ path: String, body: Data, headers: [String: String]) async throws -> HTTPResult {
        try await HTTPTest.post(base + path, body: body, headers: headers)
    }

    func get(_ path: String, token: String?) async throws -> HTTPResult {
        try await HTTPTest.get(base + path, token: token)
    }
}
