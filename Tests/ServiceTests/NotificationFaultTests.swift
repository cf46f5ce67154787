import Foundation
import TestSupport
import Testing

@testable import NotificationService

/// Providers that fail, on the fault stack's own sinks (their failure switch would disturb
/// other tests), one test at a time.
extension FaultTests {
    @Test func aProviderFailingThenRecoveringDeliversExactlyOnce() async throws {
        let notifications = NotificationHarness(port: 28451, stack: stack)
        let order = uniqueName("flaky"), vendor = uniqueName("vendor"), token = uniqueName("tok")
        let failing = notifications.failSwitch("push")
        FileManager.default.createFile(atPath: failing.path, contents: Data())
        defer { try? FileManager.default.removeItem(at: failing) }
        try await withRunningApplication(try await notifications.app(extra: [
            "NOTIFICATION_BACKOFF_BASE_MS": "100", "NOTIFICATION_BREAKER_OPEN_SECONDS": "1",
        ])) { () async throws -> Void in
            _ = try await HTTPTest.send(
                "PUT", notifications.base + "/admin/devices", json: #"{"vendorId": "\#(vendor)", "token": "\#(token)", "platform": "ios"}"#,
                token: "admin")
            try await notifications.publish(
                "order.allocated", NotificationHarness.allocated(order: order, vendor: vendor, vendorEmail: "\(vendor)@example.com"))
            #expect(await eventually {
                ((try? await notifications.notifications(order: order).first { $0.channel == "push" }?.lastError) ?? nil) != nil
            })
            try FileManager.default.removeItem(at: failing)
            #expect(await eventually(timeout: .seconds(20)) { notifications.pushes(to: token).count == 1 })
            #expect(await eventually {
                (try? await notifications.notifications(order: order).first { $0.channel == "push" }?.state) == "COMPLETED"
            })
            try await Task.sleep(for: .milliseconds(500))
            #expect(notifications.pushes(to: token).count == 1, "delivered exactly once")
        }
    }

    @Test func aProviderFailingForeverEndsFailedAndAnOperatorRetrySucceeds() async throws {
        let notifications = NotificationHarness(port: 28452, stack: stack)
        let order = uniqueName("dead"), email = "\(uniqueName("c"))@example.com"
        let failing = notifications.failSwitch("mail")
        FileManager.default.createFile(atPath: failing.path, contents: Data())
        defer { try? FileManager.default.removeItem(at: failing) }
        try await withRunningApplication(try await notifications.app(extra: [
            "NOTIFICATION_MAX_ATTEMPTS": "3", "NOTIFICATION_BACKOFF_BASE_MS": "50",
        ])) { () async throws -> Void in
            try await notifications.publish("order.confirmed", NotificationHarness.confirmed(order: order, email: email))
            #expect(await eventually(timeout: .seconds(20)) {
                (try? await notifications.notifications(order: order).first?.state) == "FAILED"
            })
            let failed = try #require(try await notifications.notifications(order: order).first)
            #expect(failed.attempts == 3)
            #expect(failed.lastError?.contains("451") == true)
            #expect(notifications.mails(to: email).isEmpty)

            try FileManager.default.removeItem(at: failing)
            let retry = try await HTTPTest.request(
                "POST", notifications.base + "/admin/notifications/\(failed.id)/retry", body: Data(),
                headers: ["Authorization": "Bearer admin"])
            #expect(retry.status == 202)
            #expect(await eventually { notifications.mails(to: email).count == 1 })
            #expect(await eventually { (try? await notifications.notifications(order: order).first?.state) == "COMPLETED" })
        }
    }
}
