import Foundation
import Hummingbird
import Messaging
import Postgres
import ServiceKit
import TestSupport

@testable import DeliveryService

/// Runs DeliveryService against the test stack and talks to it as Shiprocket and OrderService do.
struct DeliveryHarness {
    static let token = "shiprocket-test-token"
    let port: Int
    var stack = TestStack.test
    var base: String { "http://127.0.0.1:\(port)" }

    init(port: Int, stack: TestStack = .test) {
        self.port = port
        self.stack = stack
    }

    static func app(port: Int, stack: TestStack = .test, extra: [String: String] = [:]) async throws -> some ApplicationProtocol {
        try await DeliveryService.buildApplication(
            try DeliveryServiceConfiguration(
                environment: Environment(
                    [
                        "DATABASE_URL": stack.databaseURL(.delivery), "AMQP_URL": stack.amqpURL,
                        "HOST": "127.0.0.1", "PORT": "\(port)", "ADMIN_TOKEN": "admin", "LOG_LEVEL": "error",
                        "SHIPROCKET_WEBHOOK_TOKEN": token,
                    ].merging(extra) { $1 }
                )
            )
        )
    }

    /// A Shiprocket status webhook; `header` names the token header.
    func webhook(
        awb: String?,
        orderId: String?,
        srOrderId: String? = nil,
        status: Int,
        label: String = "STATUS",
        at time: String,
        header: String = "x-api-key",
        token: String = DeliveryHarness.token
    ) async throws -> HTTPResult {
        var fields = [
            #""shipment_status_id": \#(status)"#, #""shipment_status": "\#(label)""#, #""current_timestamp": "\#(time)""#,
            #""current_status_id": 99"#, #""scans": []"#,
        ]
        if let awb { fields.append(#""awb": "\#(awb)""#) }
        if let orderId { fields.append(#""order_id": "\#(orderId)""#) }
        if let srOrderId { fields.append(#""sr_order_id": \#(srOrderId)"#) }
        return try await HTTPTest.request(
            "POST",
            base + "/webhooks/shiprocket",
            body: Data("{\(fields.joined(separator: ", "))}".utf8),
            headers: ["Content-Type": "application/json", header: token]
        )
    }

    func deliveries(splitOrderId: String) async throws -> [DeliveryView] {
        let answer = try await HTTPTest.get(base + "/deliveries?splitOrderId=\(splitOrderId)")
        guard answer.status == 200 else { return [] }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(DeliveryList.self, from: Data(answer.body.utf8)).deliveries
    }

    func status(_ splitOrderId: String) async -> String? {
        (try? await deliveries(splitOrderId: splitOrderId))?.first?.status
    }

    /// Webhooks processed for a shipment (a webhook joins its history once it is).
    func processedWebhooks(_ splitOrderId: String) async -> Int? {
        (try? await deliveries(splitOrderId: splitOrderId))?.first?.history.count
    }

    /// `delivery.delivered` events for a shipment in the service's outbox, straight from the
    /// database: each announces a settlement, written in the transaction that decided it.
    func announcements(_ splitOrderId: String, pool: PostgresPool) async throws -> Int {
        try await pool.query(
            """
            SELECT count(*)::int AS n FROM outbox
            WHERE routing_key = \(DeliveryDelivered.routingKey) AND (payload::jsonb)->>'splitOrderId' = \(splitOrderId)
            """
        ).scalar("n", as: Int.self) ?? 0
    }

    /// How often the tracking API was asked about a shipment's settlement and did not confirm
    /// it, as the service recorded each answer.
    func settlementAttempts(_ splitOrderId: String, pool: PostgresPool) async throws -> Int {
        try await pool.query("SELECT settlement_attempts FROM deliveries WHERE split_order_id = \(splitOrderId)")
            .scalar("settlement_attempts", as: Int.self) ?? 0
    }

    /// Publishes `seller_order.cancelled` as OrderService would.
    static func cancel(orderId: String, splitOrderId: String, stack: TestStack = .test) async throws {
        let body = """
            {"splitOrderId": "\(splitOrderId)", "orderId": "\(orderId)", "shopifyOrderId": "\(orderId)", "shopDomain": "d.myshopify.com",
             "vendorId": "V", "vendorName": "Vendor", "vendorEmail": "v@example.com"}
            """
        try await publish("seller_order.cancelled", body: body, stack: stack)
    }

    /// Publishes `seller_order.collection_changed` as OrderService would.
    static func changeCollection(
        orderId: String,
        splitOrderId: String,
        to amount: String,
        version: Int,
        stack: TestStack = .test
    )
        async throws
    {
        let body = """
            {"splitOrderId": "\(splitOrderId)", "orderId": "\(orderId)", "shopifyOrderId": "\(orderId)", "shopDomain": "d.myshopify.com",
             "currency": "INR", "vendorId": "V", "vendorName": "Vendor", "vendorEmail": "v@example.com",
             "previousCollectAmount": "100.00", "collectAmount": "\(amount)", "version": \(version)}
            """
        try await publish("seller_order.collection_changed", body: body, stack: stack)
    }

    /// Publishes `order.allocated` as OrderService would, one seller order per split id.
    static func allocate(
        orderId: String,
        splitOrderIds: [String],
        method: String = "cod",
        collect: String = "100.00",
        stack: TestStack = .test
    ) async throws {
        let sellers = splitOrderIds.map {
            #"{"splitOrderId": "\#($0)", "vendorId": "V", "vendorName": "Vendor", "vendorEmail": "v@example.com", "flow": "NORMAL", "itemsAmount": "100.00", "collectAmount": "\#(collect)", "items": []}"#
        }
        let body = """
            {"orderId": "\(orderId)", "shopifyOrderId": "\(orderId)", "shopDomain": "d.myshopify.com", "currency": "INR",
             "customer": {}, "payment": {"method": "\(method)", "status": "unpaid", "totalAmount": "100.00",
             "collectedAmount": "0.00", "remainingAmount": "100.00"}, "sellerOrders": [\(sellers.joined(separator: ","))]}
            """
        try await publish("order.allocated", body: body, stack: stack)
    }

    /// Publishes an event to DeliveryService as OrderService would. The service declares its
    /// queue when its consumer starts; declaring it here too means the event cannot be
    /// published before the queue is bound (and go unrouted).
    static func publish(_ routingKey: String, body: String, stack: TestStack) async throws {
        let publisher = stack.publisher()
        try await publisher.declare(ServiceDefinition.deliveryService.queue!)
        let refused = try await publisher.publish([
            OutgoingMessage(messageId: UUID().uuidString, routingKey: routingKey, body: Data(body.utf8))
        ])
        await publisher.shutdown()
        guard refused.isEmpty else { throw TestFailure("\(routingKey) refused") }
    }
}
