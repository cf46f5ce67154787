import Foundation
import ServiceKit
import TestSupport
import Testing

@testable import NotificationService

/// Providers that fail, on the fault stack's own sinks (their failure switch would disturb
/// other tests), one test at a time.
extension FaultTests {
    @Test func aProviderFailingThenRecoveringDeliversExactlyOnce() async throws {
        let notifications = NotificationHarness(port: 28451, stack: stack)
        let order = uniqueName("flaky")
        let vendor = uniqueName("vendor")
        let token = uniqueName("tok")
        let failing = notifications.failSwitch("push")
        FileManager.default.createFile(atPath: failing.path, contents: Data())
        defer { try? FileManager.default.removeItem(at: failing) }
        try await withRunningApplication(
            try await notifications.app(extra: [
                "NOTIFICATION_BACKOFF_BASE_MS": "100", "NOTIFICATION_BREAKER_OPEN_SECONDS": "1", "NOTIFICATION_BREAKER_THRESHOLD": "1",
            ])
        ) { () async throws -> Void in
            _ = try await HTTPTest.send(
                "PUT",
                notifications.base + "/devices",
                json: #"{"vendorId": "\#(vendor)", "token": "\#(token)", "platform": "ios"}"#,
                token: "admin"
            )
            try await notifications.publish(
                "order.allocated",
                NotificationHarness.allocated(order: order, vendor: vendor, vendorEmail: "\(vendor)@example.com")
            )
            #expect(
                await eventually {
                    ((try? await notifications.notifications(order: order).first { $0.channel == "push" }?.lastError) ?? nil) != nil
                }
            )
            // The push circuit is open (or probing): readiness says so.
            let ready = notifications.base + "/health/ready"
            #expect(
                await eventually { (try? await HTTPTest.get(ready)).map { $0.status == 503 && $0.body.contains("push provider") } == true },
                "readiness names the push provider's circuit"
            )
            try FileManager.default.removeItem(at: failing)
            #expect(
                await eventually {
                    (try? await notifications.notifications(order: order).first { $0.channel == "push" }?.state) == "COMPLETED"
                }
            )
            #expect(await eventually { await statusOf(ready) == 200 }, "the circuit closed again")
            // A completed job is never claimed again: what the sink holds now is all it gets.
            #expect(notifications.pushes(to: token).count == 1, "delivered exactly once")
        }
    }

    /// Two replicas with one SMTP connection each and a relay that takes 3.5 s per message,
    /// on a 22 s lease (push's 10 s timeout and 11 s to record) with a 4 s SMTP timeout. One
    /// replica claims all 14 jobs at once; sent one after another they would take 49 s, and
    /// the other replica takes back a lease 20 s after it ran out (42 s), so without the rule
    /// the last ones would go out twice. With it a job is sent only while its lease has room
    /// for the longest send and its record; the rest are given back for either to claim.
    @Test func twoReplicasWithOneSlowSMTPConnectionEachSendNothingTwice() async throws {
        let first = NotificationHarness(port: 28459, stack: stack)
        let second = NotificationHarness(port: 28460, stack: stack)
        let slow = URL(fileURLWithPath: stack.mailboxDirectory).appendingPathComponent(".slow")
        try "3.5".write(to: slow, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: slow) }
        let settings = ["SMTP_CONNECTIONS": "1", "SMTP_TIMEOUT_SECONDS": "4", "NOTIFICATION_LEASE_SECONDS": "22"]
        let emails = (0..<14).map { _ in "\(uniqueName("slow"))@example.com" }
        // The 14 jobs are made before either replica runs and fall due together 4 s later, so
        // that one replica's pass claims all of them (made one by one from events, they
        // would be claimed one or two at a time, by either replica in turn).
        let (queue, pool) = try await queue()
        let event = uniqueName("slow-batch")
        try await pool.withTransaction { tx in
            try await queue.enqueue(
                emails.map {
                    NewJob(eventId: event, channel: .email, recipient: $0, template: "test", message: ["to": $0, "subject": "slow", "text": "t"])
                },
                in: tx
            )
        }
        _ = try await pool.query("UPDATE jobs SET next_attempt_at = now() + interval '4 seconds' WHERE event_id = \(event)")
        await pool.close()
        try await withRunningApplication(try await first.app(extra: settings)) { () async throws -> Void in
            try await withRunningApplication(try await second.app(extra: settings)) { () async throws -> Void in
                #expect(
                    await eventually { emails.allSatisfy { !first.mails(to: $0).isEmpty } },
                    "every email sent"
                )
                // A copy sent after its lease was taken back would arrive within a send.
                try await Task.sleep(for: .seconds(8))
                for email in emails { #expect(first.mails(to: email).count == 1, "\(email): one email") }
            }
        }
    }

    /// A lease too short for the longest send is refused at start-up, with the reason.
    @Test func aLeaseShorterThanASendIsRefused() throws {
        func configuration(lease: String) throws -> NotificationServiceConfiguration {
            try NotificationServiceConfiguration(
                environment: Environment([
                    "DATABASE_URL": "postgres://localhost/x", "AMQP_URL": "amqp://localhost", "ADMIN_TOKEN": "t",
                    "SMTP_URL": "smtp://localhost:2525", "SMTP_TIMEOUT_SECONDS": "30", "NOTIFICATION_LEASE_SECONDS": lease,
                ])
            )
        }
        let error = #expect(throws: ConfigurationError.self) { try configuration(lease: "41") }
        #expect(error?.description.contains("NOTIFICATION_LEASE_SECONDS (41) must be more than the longest send (30 s") == true)
        #expect(error?.description.contains("plus 11 s to record it") == true)
        #expect(try configuration(lease: "42").worker.lease == .seconds(42))
        #expect(try configuration(lease: "42").smtp?.timeout == .seconds(30))
    }

    @Test func aProviderFailingForeverEndsFailedAndAnOperatorRetrySucceeds() async throws {
        let notifications = NotificationHarness(port: 28452, stack: stack)
        let order = uniqueName("dead")
        let email = "\(uniqueName("c"))@example.com"
        let failing = notifications.failSwitch("mail")
        FileManager.default.createFile(atPath: failing.path, contents: Data())
        defer { try? FileManager.default.removeItem(at: failing) }
        try await withRunningApplication(
            try await notifications.app(extra: [
                "NOTIFICATION_MAX_ATTEMPTS": "3", "NOTIFICATION_BACKOFF_BASE_MS": "50",
            ])
        ) { () async throws -> Void in
            try await notifications.publish("order.confirmed", NotificationHarness.confirmed(order: order, email: email))
            #expect(
                await eventually {
                    (try? await notifications.notifications(order: order).first?.state) == "FAILED"
                }
            )
            let failed = try #require(try await notifications.notifications(order: order).first)
            #expect(failed.attempts == 3)
            #expect(failed.lastError?.contains("451") == true)
            #expect(notifications.mails(to: email).isEmpty)

            try FileManager.default.removeItem(at: failing)
            let retry = try await HTTPTest.request(
                "POST",
                notifications.base + "/admin/notifications/\(failed.id)/retry",
                body: Data(),
                headers: ["Authorization": "Bearer admin"]
            )
            #expect(retry.status == 202)
            #expect(await eventually { notifications.mails(to: email).count == 1 })
            #expect(await eventually { (try? await notifications.notifications(order: order).first?.state) == "COMPLETED" })
        }
    }
}

extension FaultTests {
    /// A worker that claimed a job and died before sending: once its lease runs out the
    /// running service takes the job back and sends it, and the dead worker's claim can no
    /// longer record anything.
    @Test func aJobHeldByADeadWorkerIsTakenBackAfterItsLeaseAndSentOnce() async throws {
        let notifications = NotificationHarness(port: 28453, stack: stack)
        let (queue, pool) = try await queue()  // migrated, whichever fault test runs first
        let email = "\(uniqueName("late"))@example.com"
        let event = uniqueName("event")
        // The "dead worker": claims the job under a short lease before the service runs, then
        // never sends.
        _ = try await pool.withTransaction { tx in
            try await queue.enqueue(
                [
                    NewJob(
                        eventId: event,
                        channel: .email,
                        recipient: email,
                        template: "test",
                        message: ["to": email, "subject": "late but once", "text": "hello"],
                        shopifyOrderId: event
                    )
                ],
                in: tx
            )
        }
        let dead = try #require(try await queue.claim(limit: 1000, lease: patience, channels: [.email]).first { $0.recipient == email })
        try await withRunningApplication(try await notifications.app()) { () async throws -> Void in
            // The service is sending (another job goes out), yet the held one waits for its lease.
            let other = "\(uniqueName("meanwhile"))@example.com"
            _ = try await pool.withTransaction { tx in
                try await queue.enqueue(
                    [
                        NewJob(
                            eventId: uniqueName("event"),
                            channel: .email,
                            recipient: other,
                            template: "test",
                            message: ["to": other, "subject": "meanwhile", "text": "hello"],
                            shopifyOrderId: event
                        )
                    ],
                    in: tx
                )
            }
            #expect(await eventually { notifications.mails(to: other).count == 1 })
            #expect(try await pool.query("SELECT state FROM jobs WHERE id = \(dead.id)").scalar("state", as: String.self) == "PROCESSING")
            #expect(notifications.mails(to: email).isEmpty, "held by its lease")
            // The lease ran out long ago (moved into the past rather than waited for): taken
            // back even by a replica that has just started (see OutageMemory).
            _ = try await pool.query("UPDATE jobs SET lease_until = now() - interval '10 minutes' WHERE id = \(dead.id)")
            #expect(
                await eventually {
                    (try? await pool.query("SELECT state FROM jobs WHERE id = \(dead.id)").scalar("state", as: String.self)) == "COMPLETED"
                }
            )
            #expect(notifications.mails(to: email).count == 1)
            #expect(try await queue.complete(dead) == false, "the dead worker's claim is fenced off")
            #expect(try await queue.fail(dead, error: "too late") == false)
            // A completed job is never claimed again: what the sink holds now is all it gets.
            #expect(notifications.mails(to: email).count == 1)
        }
        await pool.close()
    }
    /// A send that went out while the database went away is recorded once the database is
    /// back, within the job's lease, so it is not sent a second time.
    @Test func aSendIsRecordedAfterTheDatabaseComesBack() async throws {
        let (queue, pool) = try await queue()
        let token = uniqueName("restart-token")
        let event = uniqueName("event")
        _ = try await pool.withTransaction { tx in
            try await queue.enqueue(
                [
                    NewJob(
                        eventId: event,
                        channel: .push,
                        recipient: token,
                        template: "test",
                        message: ["token": token, "title": "t", "body": "b"],
                        shopifyOrderId: event
                    )
                ],
                in: tx
            )
        }
        let provider = RestartingDatabaseProvider(stack: stack, token: token)
        let worker = NotificationWorker(queue: queue, providers: [provider], settings: .init(lease: .seconds(30)), logger: testLogger)
        do {
            while provider.sends.count(token) == 0 { _ = try await worker.pass(provider) }
        } catch {
            _ = try? await stack.infra("pg-start")
            throw error
        }
        #expect(
            await eventually {
                (try? await pool.query("SELECT state FROM jobs WHERE event_id = \(event)").scalar("state", as: String.self)) == "COMPLETED"
            }
        )
        _ = try await worker.pass(provider)
        #expect(provider.sends.count(token) == 1, "sent once")
        await pool.close()
    }
}

/// Stops PostgreSQL as it sends a message for `token`, and starts it again 2 s later.
private struct RestartingDatabaseProvider: NotificationProvider {
    let stack: TestStack
    let token: String
    let sends = Tally()
    var channel: Job.Channel { .push }

    func send(_ message: [String: String]) async throws {
        guard message["token"] == token else { return }
        sends.add(token)
        try await stack.infra("pg-stop")
        let stack = self.stack
        Task.detached {
            try await Task.sleep(for: .seconds(2))
            try await stack.infra("pg-start")
        }
    }
}
