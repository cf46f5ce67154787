import Foundation
import ServiceKit
import TestSupport
import Testing

@testable import NotificationService

/// NotificationService with the real broker, database, SMTP sink and push sink.
@Suite struct NotificationServiceTests {
    @Test func aRedeliveredConfirmationMakesOneJobAndTheCustomerGetsOneEmail() async throws {
        let notifications = NotificationHarness(port: 28441)
        let order = uniqueName("n")
        let email = "\(uniqueName("customer"))@example.com"
        try await withRunningApplication(try await notifications.app()) { () async throws -> Void in
            let messageId = UUID().uuidString
            for id in [messageId, messageId, UUID().uuidString] {
                try await notifications.publish("order.confirmed", NotificationHarness.confirmed(order: order, email: email), messageId: id)
            }
            #expect(await eventually { notifications.mails(to: email).count == 1 })
            #expect(await eventually { (try? await notifications.notifications(order: order).map(\.state)) == ["COMPLETED"] })
            // The copies go to whichever of the service's consumers (other tests run some) takes
            // them, in no order to wait behind: wait until the broker has every message of the
            // queue acknowledged, so theirs too.
            try await TestStack.test.drained(ServiceDefinition.notificationService.queue!.queue)
            let mails = notifications.mails(to: email)
            #expect(mails.count == 1, "one email however often the event arrives")
            let subject = "Your order #\(order) is confirmed"
            #expect(mails.first?.contains("Subject: =?UTF-8?B?\(Data(subject.utf8).base64EncodedString())?=") == true)
            #expect(mails.first?.contains("From: shop@example.com") == true)
            #expect(try await notifications.notifications(order: order).map(\.state) == ["COMPLETED"], "one job")
            let entry = try #require(try await notifications.notifications(order: order).first)
            #expect(entry.channel == "email")
            #expect(entry.recipient == email)
            #expect(entry.attempts == 1)
            #expect(
                mails.first?.contains("Message-ID: <notification-\(entry.id)@marketplace.local>") == true,
                "the job's own Message-ID, the same if it is ever sent again"
            )
        }
    }

    @Test func eventsWaitingTogetherAreHandledTogetherAndABadOneHoldsNoneBack() async throws {
        let notifications = NotificationHarness(port: 28445)
        let run = uniqueName("batch")
        let emails = (0..<20).map { "\(run)-\($0)@example.com" }
        // Published before the service starts, so that they wait in the queue and come as a
        // batch; order.delivered, which no other service (nor another test) consumes.
        for (index, email) in emails.enumerated() {
            if index == 10 { try await notifications.publish("order.delivered", "{not json") }
            try await notifications.publish("order.delivered", NotificationHarness.delivered(order: "\(run)-\(index)", email: email))
        }
        try await withRunningApplication(try await notifications.app()) { () async throws -> Void in
            #expect(await eventually { emails.allSatisfy { notifications.mails(to: $0).count == 1 } })
            // A completed job is never sent again: once all are, the mailbox is final.
            #expect(
                await eventually {
                    for index in emails.indices {
                        guard (try? await notifications.notifications(order: "\(run)-\(index)").map(\.state)) == ["COMPLETED"] else { return false }
                    }
                    return true
                }
            )
            #expect(emails.map { notifications.mails(to: $0).count } == Array(repeating: 1, count: 20))
        }
    }

    @Test func theServiceWorksOverTLSToTheBrokerAndTheDatabase() async throws {
        let notifications = NotificationHarness(port: 28446)
        let stack = notifications.stack
        let database =
            stack.databaseURL(.notification).replacingOccurrences(of: "@127.0.0.1:", with: "@localhost:")
            + "?sslmode=verify-full&sslrootcert=\(stack.tlsCAFile)"
        let order = uniqueName("tls")
        let email = "\(uniqueName("customer"))@example.com"
        let app = try await notifications.app(extra: ["DATABASE_URL": database, "AMQP_URL": stack.amqpsURL])
        try await withRunningApplication(app) { () async throws -> Void in
            #expect(await eventually { await statusOf(notifications.base + "/health/ready") == 200 })
            try await notifications.publish("order.confirmed", NotificationHarness.confirmed(order: order, email: email))
            #expect(await eventually { notifications.mails(to: email).count == 1 }, "the event becomes a sent email while the service runs over TLS")
        }
    }

    @Test func anAssignedVendorGetsAnEmailAndAPushOnEachRegisteredDevice() async throws {
        let notifications = NotificationHarness(port: 28442)
        let order = uniqueName("v")
        let vendor = uniqueName("vendor")
        let email = "\(vendor)@vendors.example"
        let token = uniqueName("device-token")
        try await withRunningApplication(try await notifications.app()) { () async throws -> Void in
            let devices = notifications.base + "/devices"
            #expect(
                try await HTTPTest.send("PUT", devices, json: #"{"vendorId": "\#(vendor)", "token": "\#(token)", "platform": "android"}"#).status
                    == 401
            )
            #expect(try await HTTPTest.send("PUT", devices, json: #"{"token": "x", "platform": "ios"}"#, token: "admin").status == 400)
            #expect(
                try await HTTPTest.send(
                    "PUT",
                    devices,
                    json: #"{"vendorId": "v", "customerEmail": "c@example.com", "token": "x", "platform": "ios"}"#,
                    token: "admin"
                ).status == 400
            )
            #expect(
                try await HTTPTest.send(
                    "PUT",
                    devices,
                    json: #"{"vendorId": "\#(vendor)", "token": "\#(token)", "platform": "android"}"#,
                    token: "admin"
                ).status == 200
            )

            try await notifications.publish("order.allocated", NotificationHarness.allocated(order: order, vendor: vendor, vendorEmail: email))
            #expect(await eventually { notifications.mails(to: email).count == 1 && notifications.pushes(to: token).count == 1 })
            let push = try #require(notifications.pushes(to: token).first)
            let body = try JSONSerialization.jsonObject(with: Data(push.utf8)) as? [String: Any]
            let message = body?["message"] as? [String: Any]
            #expect((message?["notification"] as? [String: String])?["title"] == "New order \(order)-1")
            #expect((message?["data"] as? [String: String])?["splitOrderId"] == "\(order)-1")
            #expect(
                await eventually {
                    (try? await notifications.notifications(order: order).map(\.state)) == ["COMPLETED", "COMPLETED"]
                }
            )
            let entries = try await notifications.notifications(order: order)
            #expect(entries.map(\.channel) == ["email", "push"])
            #expect(entries[1].recipient.hasSuffix("…"), "a device token is not shown whole")
            #expect((message?["data"] as? [String: String])?["notificationId"] == "notification-\(entries[1].id)")
            #expect(
                try await HTTPTest.request(
                    "POST",
                    notifications.base + "/admin/notifications/\(entries[0].id)/retry",
                    body: Data(),
                    headers: ["Authorization": "Bearer admin"]
                ).status == 409
            )
            #expect(
                try await HTTPTest.request(
                    "POST",
                    notifications.base + "/admin/notifications/999999999/retry",
                    body: Data(),
                    headers: ["Authorization": "Bearer admin"]
                ).status == 404
            )
        }
    }

    @Test func theVendorOfACancelledSellerOrderGetsAnEmailAndAPush() async throws {
        let notifications = NotificationHarness(port: 28447)
        let order = uniqueName("c")
        let vendor = uniqueName("vendor")
        let email = "\(vendor)@vendors.example"
        let token = uniqueName("device-token")
        try await withRunningApplication(try await notifications.app()) { () async throws -> Void in
            #expect(
                try await HTTPTest.send(
                    "PUT",
                    notifications.base + "/devices",
                    json: #"{"vendorId": "\#(vendor)", "token": "\#(token)", "platform": "android"}"#,
                    token: "admin"
                ).status == 200
            )
            let cancelled = """
                {"splitOrderId": "\(order)-2", "orderId": "\(order)", "shopifyOrderId": "\(order)", "shopDomain": "s.myshopify.com",
                 "name": "#\(order)", "vendorId": "\(vendor)", "vendorName": "Vendor \(vendor)", "vendorEmail": "\(email)", "hubId": null}
                """
            // Published twice (a relay that crashed before marking it sent): told once.
            try await notifications.publish("seller_order.cancelled", cancelled)
            try await notifications.publish("seller_order.cancelled", cancelled)
            #expect(await eventually { notifications.mails(to: email).count == 1 && notifications.pushes(to: token).count == 1 })
            #expect(
                await eventually {
                    (try? await notifications.notifications(order: order).map(\.state)) == ["COMPLETED", "COMPLETED"]
                }
            )
            try await TestStack.test.drained(ServiceDefinition.notificationService.queue!.queue)
            #expect(notifications.mails(to: email).count == 1)
            let entries = try await notifications.notifications(order: order)
            #expect(entries.map(\.template) == ["seller-order-cancelled", "seller-order-cancelled"])
            #expect(entries.map(\.channel) == ["email", "push"])
        }
    }
}
