import Foundation
import Hummingbird
import Messaging
import ServiceKit
import TestSupport

@testable import NotificationService

/// Runs NotificationService against a test stack and its SMTP and push sinks.
struct NotificationHarness {
    static let pushToken = "dev-push-token"
    let port: Int
    var stack: TestStack = .test
    var base: String { "http://127.0.0.1:\(port)" }

    func app(extra: [String: String] = [:]) async throws -> some ApplicationProtocol {
        try await NotificationService.buildApplication(
            try NotificationServiceConfiguration(
                environment: Environment(
                    [
                        "DATABASE_URL": stack.databaseURL(.notification), "AMQP_URL": stack.amqpURL,
                        "HOST": "127.0.0.1", "PORT": "\(port)", "ADMIN_TOKEN": "admin", "LOG_LEVEL": "critical",
                        "SMTP_URL": stack.smtpSinkURL, "SMTP_FROM": "shop@example.com",
                        "PUSH_URL": stack.pushSinkURL, "PUSH_TOKEN": Self.pushToken,
                    ].merging(extra) { $1 }
                )
            )
        )
    }

    func publish(_ routingKey: String, _ body: String, messageId: String = UUID().uuidString) async throws {
        let publisher = stack.publisher()
        // Declared here too, so the event cannot be published before the queue is bound.
        try await publisher.declare(ServiceDefinition.notificationService.queue!)
        let refused = try await publisher.publish([OutgoingMessage(messageId: messageId, routingKey: routingKey, body: Data(body.utf8))])
        await publisher.shutdown()
        guard refused.isEmpty else { throw TestFailure("broker refused \(routingKey)") }
    }

    /// Messages the SMTP sink kept for `recipient`, as text.
    func mails(to recipient: String) -> [String] {
        files(in: stack.mailboxDirectory).filter { $0.contains("X-Envelope-To: \(recipient)") }
    }

    /// Push messages the push sink kept for a device token, as JSON text.
    func pushes(to token: String) -> [String] {
        files(in: stack.pushSinkDirectory).filter { $0.contains("\"token\":\"\(token)\"") }
    }

    /// While it exists, the sink answers with a temporary failure.
    func failSwitch(_ sink: String) -> URL {
        URL(fileURLWithPath: sink == "push" ? stack.pushSinkDirectory : stack.mailboxDirectory).appendingPathComponent(".fail")
    }

    private func files(in directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { !$0.hasPrefix(".") }.compactMap {
            try? String(contentsOfFile: directory + "/" + $0, encoding: .utf8)
        }
    }

    func notifications(order: String) async throws -> [NotificationController.Entry] {
        let answer = try await HTTPTest.get(base + "/notifications?shopifyOrderId=\(order)")
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(NotificationController.Entries.self, from: Data(answer.body.utf8)).notifications
    }

    static func confirmed(order: String, email: String) -> String {
        """
        {"orderId": "\(order)", "shopifyOrderId": "\(order)", "shopDomain": "s.myshopify.com", "name": "#\(order)",
         "currency": "INR", "customer": {"email": "\(email)", "firstName": "Asha", "lastName": "Rao"},
         "items": [], "payment": {"method": "cod", "status": "unpaid", "totalAmount": "499.00", "collectedAmount": "0.00",
         "remainingAmount": "499.00"}}
        """
    }

    /// `order.delivered`, which only NotificationService consumes (so a test may send odd ones).
    static func delivered(order: String, email: String) -> String {
        """
        {"orderId": "\(order)", "shopifyOrderId": "\(order)", "shopDomain": "s.myshopify.com", "name": "#\(order)",
         "currency": "INR", "customer": {"email": "\(email)", "firstName": "Asha"},
         "payment": {"method": "cod", "status": "paid", "totalAmount": "499.00", "collectedAmount": "499.00", "remainingAmount": "0.00"}}
        """
    }

    static func allocated(order: String, vendor: String, vendorEmail: String) -> String {
        """
        {"orderId": "\(order)", "shopifyOrderId": "\(order)", "shopDomain": "s.myshopify.com", "name": "#\(order)",
         "currency": "INR", "customer": {}, "payment": {"method": "cod", "status": "unpaid", "totalAmount": "499.00",
         "collectedAmount": "0.00", "remainingAmount": "499.00"},
         "sellerOrders": [{"splitOrderId": "\(order)-1", "vendorId": "\(vendor)", "vendorName": "Vendor \(vendor)",
                           "vendorEmail": "\(vendorEmail)", "hubId": null, "flow": "NORMAL", "itemsAmount": "499.00",
                           "collectAmount": "499.00", "items": [{"lineItemId": "1", "sku": "SKU-1", "title": "Thing", "quantity": 2, "price": "249.50"}]}]}
        """
    }
}
