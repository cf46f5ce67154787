import Foundation
import Messaging
import Postgres
import ServiceKit
import TestSupport
import Testing

@testable import InventoryService
@testable import OrderService

/// Tests that stop and restart PostgreSQL and RabbitMQ. They use the separate "fault" stack
/// and run one at a time.
@Suite(.serialized) struct FaultTests {
    let stack = TestStack.fault

    static let port = 58_181
    let readyURL = "http://127.0.0.1:\(port)/health/ready"

    func orderServiceConfiguration() throws -> OrderServiceConfiguration {
        try OrderServiceConfiguration(environment: Environment([
            "DATABASE_URL": stack.databaseURL(.order), "AMQP_URL": stack.amqpURL,
            "HOST": "127.0.0.1", "PORT": "\(Self.port)", "ADMIN_TOKEN": "t", "LOG_LEVEL": "error",
        ]))
    }

    func ready() async -> Bool { await statusOf(readyURL) == 200 }
    func unavailable() async -> Bool { await statusOf(readyURL) == 503 }

    /// Runs `body` with one server stopped, and starts it again whatever happens.
    func whileStopped<T>(_ server: String, _ body: () async throws -> T) async throws -> T {
        try stack.infra("\(server)-stop")
        do {
            let value = try await body()
            try stack.infra("\(server)-start")
            return value
        } catch {
            try? stack.infra("\(server)-start")
            throw error
        }
    }

    /// An event committed while the broker is down is published once it is back, by the
    /// service's relay; a consumer that was running before the outage receives it.
    @Test func eventCommittedWhileBrokerIsDownIsPublishedWhenItReturns() async throws {
        let app = try await OrderService.buildApplication(try orderServiceConfiguration())
        let publisher = stack.publisher()
        let key = "test.outage.\(uniqueName("k"))"
        let topology = QueueTopology(queue: uniqueName("outage-q"), bindings: [key], retryDelay: .milliseconds(100))
        try await publisher.declare(topology)
        let collector = MessageCollector(stack: stack, topology: topology)
        let pool = stack.pool(.order, name: uniqueName("outage"))

        try await withRunningApplication(app) {
            #expect(await eventually { await ready() })
            let committed = try await whileStopped("rabbit") {
                #expect(await eventually { await unavailable() }, "readiness reports the broker down")

                let rolledBack = UUID()
                struct Abort: Error {}
                try? await pool.withTransaction { tx in
                    try await Outbox.enqueue(routingKey: key, payload: Data(#"{"kept":false}"#.utf8), messageId: rolledBack, in: tx)
                    throw Abort()
                }
                let committed = try await pool.withTransaction { tx in
                    try await Outbox.enqueue(routingKey: key, payload: Data(#"{"kept":true}"#.utf8), in: tx)
                }
                try await Task.sleep(for: .seconds(10))
                return committed
            }

            let messages = await collector.wait(for: 1, timeout: .seconds(30))
            #expect(messages.map(\.messageId) == [committed.uuidString.lowercased()])
            #expect(await eventually { await ready() }, "readiness recovers")
            try await Task.sleep(for: .milliseconds(500))
            #expect(collector.messages.count == 1, "the rolled-back event is never published")
        }
        await collector.stop()
        await publisher.shutdown()
        await pool.close()
    }

    /// Readiness goes 503 while PostgreSQL is down and 200 once it is back, and the service's
    /// relay goes on publishing.
    @Test func serviceSurvivesAPostgresRestart() async throws {
        let app = try await OrderService.buildApplication(try orderServiceConfiguration())
        let publisher = stack.publisher()
        let key = "test.pgrestart.\(uniqueName("k"))"
        let topology = QueueTopology(queue: uniqueName("pgrestart-q"), bindings: [key])
        try await publisher.declare(topology)
        let collector = MessageCollector(stack: stack, topology: topology)

        try await withRunningApplication(app) {
            #expect(await eventually { await ready() })
            try await whileStopped("pg") {
                #expect(await eventually { await unavailable() }, "readiness reports the database down")
            }
            #expect(await eventually(timeout: .seconds(20)) { await ready() }, "readiness recovers")

            let pool = stack.pool(.order, name: uniqueName("pgrestart"))
            let id = try await pool.withTransaction { tx in
                try await Outbox.enqueue(routingKey: key, payload: Data("{}".utf8), in: tx)
            }
            let messages = await collector.wait(for: 1, timeout: .seconds(20))
            #expect(messages.map(\.messageId) == [id.uuidString.lowercased()])
            await pool.close()
        }
        await collector.stop()
        await publisher.shutdown()
    }
}
