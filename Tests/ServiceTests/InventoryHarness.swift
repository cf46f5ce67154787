import Foundation
import Hummingbird
import Messaging
import Postgres
import ServiceKit
import TestSupport

@testable import InventoryService

/// Runs InventoryService instances against the test stack and talks to them as other
/// services and merchants do: admin HTTP calls, and events on RabbitMQ. Each test names its
/// own SKUs, vendors and hubs (`prefix`) so tests sharing the database never meet.
struct InventoryHarness {
    static let adminToken = "inventory-admin"

    let ports: [Int]
    let prefix = uniqueName("inv")
    var base: String { "http://127.0.0.1:\(ports[0])" }

    init(ports: [Int]) { self.ports = ports }

    func id(_ name: String) -> String { "\(prefix)-\(name)" }

    static func app(port: Int) async throws -> some ApplicationProtocol {
        try await InventoryService.buildApplication(
            try InventoryServiceConfiguration(
                environment: Environment([
                    "DATABASE_URL": TestStack.test.databaseURL(.inventory), "AMQP_URL": TestStack.test.amqpURL,
                    "HOST": "127.0.0.1", "PORT": "\(port)", "ADMIN_TOKEN": adminToken, "LOG_LEVEL": "error",
                ])
            )
        )
    }

    /// Runs one instance per port (replicas sharing the database and the queue) around `body`.
    func run<Value: Sendable>(_ body: () async throws -> Value) async throws -> Value {
        func nest(_ remaining: ArraySlice<Int>) async throws -> Value {
            guard let port = remaining.first else { return try await body() }
            return try await withRunningApplication(try await Self.app(port: port)) { try await nest(remaining.dropFirst()) }
        }
        let value = try await nest(ports[...])
        return value
    }

    func putCatalog(_ json: String, token: String? = adminToken) async throws -> HTTPResult {
        try await HTTPTest.send("PUT", base + "/admin/catalog", json: json, token: token)
    }

    func adjust(_ json: String) async throws -> HTTPResult {
        try await HTTPTest.send("POST", base + "/admin/stock/adjustments", json: json, token: Self.adminToken)
    }

    /// The quantity of one level, 0 if it does not exist.
    func quantity(sku: String, vendor: String, hub: String? = nil) async throws -> Int {
        let answer = try await HTTPTest.get(base + "/stock/\(sku)")
        guard answer.status == 200 else { return 0 }
        let levels = try JSONDecoder().decode(StockController.SKULevels.self, from: Data(answer.body.utf8)).levels
        return levels.first { $0.vendorId == vendor && $0.hubId == hub }?.quantity ?? 0
    }

    /// A catalog: one product per SKU, vendors at `vendors` (id → km north of Mumbai), offers
    /// and non-hub stock as given, optionally hubs.
    func catalog(
        skus: [String],
        vendors: [String: Double],
        offers: [(vendor: String, sku: String, margin: String)],
        stock: [(sku: String, vendor: String, hub: String?, quantity: Int)],
        hubs: [(id: String, km: Double, radius: Double)] = []
    ) -> String {
        func point(_ km: Double) -> GeoPoint { AllocatorTests.north(of: AllocatorTests.customer, km: km) }
        let hubItems = hubs.map {
            #"{"id": "\#($0.id)", "name": "Hub \#($0.id)", "latitude": \#(point($0.km).latitude), "longitude": \#(point($0.km).longitude), "radiusKm": \#($0.radius), "active": true}"#
        }
        let vendorItems = vendors.sorted { $0.key < $1.key }.map {
            #"{"id": "\#($0.key)", "name": "Vendor \#($0.key)", "email": "\#($0.key.lowercased())@vendors.example", "latitude": \#(point($0.value).latitude), "longitude": \#(point($0.value).longitude)}"#
        }
        let productItems = skus.map { #"{"sku": "\#($0)", "title": "Product \#($0)"}"# }
        let offerItems = offers.map { #"{"vendorId": "\#($0.vendor)", "sku": "\#($0.sku)", "margin": "\#($0.margin)"}"# }
        let stockItems = stock.map {
            #"{"sku": "\#($0.sku)", "vendorId": "\#($0.vendor)", "hubId": \#($0.hub.map { "\"\($0)\"" } ?? "null"), "quantity": \#($0.quantity)}"#
        }
        return """
            {"hubs": [\(hubItems.joined(separator: ","))], "vendors": [\(vendorItems.joined(separator: ","))],
             "products": [\(productItems.joined(separator: ","))], "offers": [\(offerItems.joined(separator: ","))],
             "stock": [\(stockItems.joined(separator: ","))]}
            """
    }

    /// Publishes `order.confirmed` as OrderService would.
    func confirm(
        _ orderId: String,
        lines: [(sku: String, quantity: Int)],
        shipping: GeoPoint? = nil,
        messageId: String = UUID().uuidString,
        publisher: AMQPPublisher
    ) async throws {
        let items = lines.enumerated().map { index, line in
            #"{"lineItemId": "\#(index + 1)", "variantId": null, "sku": "\#(line.sku)", "quantity": \#(line.quantity), "price": "10.00"}"#
        }
        let point = shipping.map { #"{"latitude": \#($0.latitude), "longitude": \#($0.longitude)}"# } ?? "null"
        let body = """
            {"orderId": "\(orderId)", "shopifyOrderId": "\(orderId)", "shopDomain": "\(prefix).myshopify.com",
             "currency": "INR", "customer": {"email": "c@example.com"}, "shippingPoint": \(point), "billingPoint": null,
             "items": [\(items.joined(separator: ","))],
             "payment": {"method": "prepaid", "status": "paid", "totalAmount": "10.00", "collectedAmount": "10.00", "remainingAmount": "0.00"}}
            """
        try await publish("order.confirmed", body: body, messageId: messageId, publisher: publisher)
    }

    func cancel(_ orderId: String, messageId: String = UUID().uuidString, publisher: AMQPPublisher) async throws {
        let body = #"{"orderId": "\#(orderId)", "shopifyOrderId": "\#(orderId)", "shopDomain": "\#(prefix).myshopify.com"}"#
        try await publish("order.cancelled", body: body, messageId: messageId, publisher: publisher)
    }

    private func publish(_ key: String, body: String, messageId: String, publisher: AMQPPublisher) async throws {
        // The service declares its queue when its consumer starts; declaring it here too means
        // the event cannot be published before the queue is bound (and go unrouted).
        try await publisher.declare(ServiceDefinition.inventoryService.queue!)
        let refused = try await publisher.publish([OutgoingMessage(messageId: messageId, routingKey: key, body: Data(body.utf8))])
        guard refused.isEmpty else { throw TestFailure("broker refused \(key)") }
    }

    /// Allocation states by order id, straight from the database.
    func allocationStatuses(_ orderIds: [String], pool: PostgresPool) async throws -> [String: String] {
        var statuses: [String: String] = [:]
        for row in try await pool.query("SELECT order_id, status FROM allocations WHERE order_id = ANY(\(orderIds)::text[])") {
            statuses[try row.decode("order_id")] = try row.decode("status")
        }
        return statuses
    }

    /// A queue that sees InventoryService's events.
    static func eventCollector() async throws -> MessageCollector {
        let topology = QueueTopology(
            queue: uniqueName("inventory-events-q"),
            bindings: [InventoryAllocated.routingKey, InventoryAllocationFailed.routingKey],
            prefetch: 200
        )
        let publisher = TestStack.test.publisher()
        try await publisher.declare(topology)
        await publisher.shutdown()
        return MessageCollector(topology: topology)
    }

    /// Collected events of type `Event` about `orderId`.
    static func events<Event: InventoryEvent>(_ type: Event.Type, _ collector: MessageCollector, orderId: String) -> [Event] {
        collector.messages.filter { $0.eventType == Event.routingKey }.compactMap { try? Event.decode(from: $0.body) }
            .filter { $0.orderId == orderId }
    }
}

/// InventoryService's events, all about one order.
protocol InventoryEvent: IntegrationEvent {
    var orderId: String { get }
}

extension InventoryAllocated: InventoryEvent {}
extension InventoryAllocationFailed: InventoryEvent {}
