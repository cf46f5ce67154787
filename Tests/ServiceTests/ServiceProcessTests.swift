import Foundation
import Messaging
import TestSupport
import Testing

/// The four executables as an orchestrator runs them: configured by environment variables,
/// healthy, with metrics and guarded admin endpoints, and stopping cleanly on SIGTERM.
@Suite struct ServiceProcessTests {
    static let services: [(name: String, role: TestStack.Role, port: Int)] = [
        ("OrderService", .order, 28081), ("InventoryService", .inventory, 28082),
        ("DeliveryService", .delivery, 28083), ("NotificationService", .notification, 28084),
    ]

    @Test(arguments: services.map(\.name))
    func runsHealthyAndStopsCleanlyOnSigterm(name: String) async throws {
        let service = try #require(Self.services.first { $0.name == name })
        // An event nobody is bound to, so that the unrouted queue's gauge has one to count.
        let publisher = TestStack.test.publisher()
        let unrouted = OutgoingMessage(messageId: UUID().uuidString, routingKey: "test.nobody.\(uniqueName("k"))", body: Data("{}".utf8))
        #expect(try await publisher.publish([unrouted]).isEmpty)
        await publisher.shutdown()
        let process = try launch(
            name,
            environment: [
                "DATABASE_URL": TestStack.test.databaseURL(service.role), "AMQP_URL": TestStack.test.amqpURL,
                "PORT": "\(service.port)", "HOST": "127.0.0.1", "ADMIN_TOKEN": "test-admin-token", "LOG_LEVEL": "warning",
            ]
        )
        defer { process.send(SIGTERM) }
        let base = "http://127.0.0.1:\(service.port)"
        #expect(await eventually { (try? await HTTPTest.get("\(base)/health/ready").status) == 200 })
        #expect(try await HTTPTest.get("\(base)/health/live").status == 200)
        let metrics = try await HTTPTest.get("\(base)/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.body.contains("# TYPE"))
        // What the alerts in deploy/monitoring read: the unrouted queue and the service's own.
        var page = ""
        _ = await eventually {
            page = (try? await HTTPTest.get("\(base)/metrics").body) ?? ""
            return Self.gauge(page, queue: "marketplace.unrouted") != nil
        }
        let gauges = page.split(separator: "\n").filter { $0.hasPrefix("amqp_queue_messages{") }.joined(separator: "; ")
        #expect(Self.gauge(page, queue: "marketplace.unrouted.bounded").map { $0 >= 1 } == true, "the unrouted event counted: \(gauges)")
        #expect(Self.gauge(page, queue: "\(Self.queue(name)).dlq") != nil, "\(gauges)")
        #expect(Self.gauge(page, queue: Self.queue(name)) != nil, "\(gauges)")
        #expect(Self.gauge(page, queue: "marketplace.unrouted") != nil, "an earlier release's queue, 0 once gone: \(gauges)")
        #expect(try await HTTPTest.get("\(base)/admin/outbox").status == 401)
        #expect(try await HTTPTest.get("\(base)/admin/outbox", token: "wrong").status == 401)
        #expect(try await HTTPTest.get("\(base)/admin/outbox", token: "test-admin-token").status == 200)
        // The dead-letter queue, listed and replayed by id (an id never parked is not found).
        #expect(try await HTTPTest.get("\(base)/admin/dead-letters").status == 401)
        let parked = try await HTTPTest.get("\(base)/admin/dead-letters?limit=1", token: "test-admin-token")
        #expect(parked.status == 200)
        #expect(parked.body.contains(#""queue":"\#(Self.queue(name)).dlq""#))
        #expect(try await HTTPTest.get("\(base)/admin/dead-letters?limit=0", token: "test-admin-token").status == 400)
        let replay = "\(base)/admin/dead-letters/replay"
        #expect(try await HTTPTest.send("POST", replay, json: #"{"messageIds": []}"#, token: "test-admin-token").status == 400)
        #expect(try await HTTPTest.send("POST", replay, json: #"{"all": true, "messageIds": ["x"]}"#, token: "test-admin-token").status == 400)
        #expect(try await HTTPTest.send("POST", replay, json: "not json", token: "test-admin-token").status == 400)
        let unknown = try await HTTPTest.send("POST", replay, json: #"{"messageIds": ["never-parked"]}"#, token: "test-admin-token")
        #expect(unknown.status == 200)
        #expect(unknown.body.contains(#""replayed":0"#) && unknown.body.contains("never-parked"))

        process.send(SIGTERM)
        // Within what the deployment allows: terminationGracePeriodSeconds 45 less the 5 s
        // pre-stop pause (deploy/base).
        #expect(await eventually(timeout: .seconds(40)) { !process.isRunning }, "stops within 40 s of SIGTERM")
        #expect(process.termination?.signal == nil, "exits rather than being killed by the signal")
        #expect(process.termination?.exitStatus == 0)
    }

    static func queue(_ service: String) -> String {
        service.replacingOccurrences(of: "Service", with: "").lowercased() + "-service"
    }

    /// The value of `amqp_queue_messages{queue="<queue>"}` in a Prometheus text page.
    static func gauge(_ page: String, queue: String) -> Double? {
        let prefix = "amqp_queue_messages{queue=\"\(queue)\"} "
        return page.split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap { Double($0.dropFirst(prefix.count)) }
    }

    @Test func missingConfigurationIsReportedByName() async throws {
        let process = try launch("InventoryService", environment: ["AMQP_URL": TestStack.test.amqpURL], stderr: .capture)
        #expect(await eventually { !process.isRunning })
        let termination = await process.wait()
        #expect(termination.exitStatus == 2)
        #expect(termination.output.contains("DATABASE_URL is required"))
    }
}

func launch(_ name: String, environment: [String: String], stderr: Subprocess.Output = .inherit) throws -> Subprocess {
    guard let directory = ProcessInfo.processInfo.environment["SERVICE_BIN_DIR"] else {
        throw TestFailure("SERVICE_BIN_DIR is not set: run the tests through ./scripts/test")
    }
    return try Subprocess(URL(fileURLWithPath: directory).appendingPathComponent(name).path, environment: environment, stderr: stderr)
}
