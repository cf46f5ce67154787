import Foundation
import Messaging
import Postgres
import ServiceKit
import ServiceLifecycle
import TestSupport
import Testing

@Suite struct OutboxTests {
    struct Boom: Error {}

    @Test func committedEventsArePublishedAndRolledBackOnesNever() async throws {
        let pool = try await preparedPool()
        let publisher = TestStack.test.publisher()
        let key = "test.outbox.\(uniqueName("k"))"
        let topology = QueueTopology(queue: uniqueName("outbox-q"), bindings: [key])
        try await publisher.declare(topology)
        let collector = MessageCollector(topology: topology)

        let rolledBack = UUID()
        await #expect(throws: Boom.self) {
            try await pool.withTransaction { tx in
                try await Outbox.enqueue(routingKey: key, payload: Data(#"{"n":0}"#.utf8), messageId: rolledBack, in: tx)
                throw Boom()
            }
        }
        let committed = try await pool.withTransaction { tx in
            try await Outbox.enqueue(routingKey: key, payload: Data(#"{"n":1}"#.utf8), in: tx)
        }
        let relay = OutboxRelay(pool: pool, publisher: publisher, logger: testLogger)
        let published = await eventually {
            _ = try? await relay.relayBatch()
            return (try? await pool.query("SELECT 1 FROM outbox WHERE message_id = \(committed) AND published_at IS NOT NULL").count) == 1
        }
        #expect(published)
        _ = await collector.wait(for: 1)
        // Everything the relay published has arrived by now: nothing came but the one.
        let messages = try await collector.settled()
        #expect(messages.count == 1)
        let message = try #require(messages.first)
        #expect(message.messageId == committed.uuidString.lowercased())
        #expect(message.type == key)
        #expect(message.contentType == "application/json")
        #expect(message.body == Data(#"{"n":1}"#.utf8))
        #expect(message.headers[Headers.traceparent]?.stringValue.map(TraceParent.isValid) == true)
        #expect(try await pool.query("SELECT 1 FROM outbox WHERE message_id = \(rolledBack)").isEmpty)

        await collector.stop()
        await publisher.shutdown()
        await pool.close()
    }

    @Test func twoRelayReplicasPublishEveryRowExactlyOnce() async throws {
        let pool = try await preparedPool()
        let key = "test.replicas.\(uniqueName("k"))"
        let topology = QueueTopology(queue: uniqueName("replicas-q"), bindings: [key], prefetch: 200)
        let publishers = [TestStack.test.publisher(), TestStack.test.publisher()]
        try await publishers[0].declare(topology)
        let collector = MessageCollector(topology: topology)

        var settings = OutboxRelay.Settings()
        settings.batchSize = 25
        let relays = publishers.map { OutboxRelay(pool: pool, publisher: $0, settings: settings, logger: testLogger) }
        // Run as a service runs, so that they stop as a service stops: a relay cancelled in the
        // middle of a pass (between publishing rows and marking them) would leave rows of the
        // shared outbox, other tests' among them, to be published again.
        let group = ServiceGroup(configuration: .init(services: relays, logger: testLogger))
        let running = Task { try await group.run() }

        let total = 300
        try await withThrowingTaskGroup(of: Void.self) { group in
            for chunk in 0..<10 {
                group.addTask {
                    try await pool.withTransaction { tx in
                        for i in 0..<(total / 10) {
                            try await Outbox.enqueue(routingKey: key, payload: Data(#"{"i":\#(chunk * 100 + i)}"#.utf8), in: tx)
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        _ = await collector.wait(for: total)
        // Stopped, the relays publish nothing more; then everything they published has arrived.
        await group.triggerGracefulShutdown()
        try await running.value
        let messages = try await collector.settled()
        #expect(Set(messages.compactMap(\.messageId)).count == total)
        #expect(messages.count == total, "no row may be published twice")

        await collector.stop()
        for publisher in publishers { await publisher.shutdown() }
        await pool.close()
    }
}

/// A pool on the order role's schema with the outbox table in place.
func preparedPool(_ stack: TestStack = .test, size: Int = 8) async throws -> PostgresPool {
    let pool = stack.pool(.order, size: size, name: uniqueName("outbox"))
    try await MigrationRunner(pool: pool, logger: testLogger).apply(ServiceHost.sharedMigrations(), source: "shared")
    return pool
}
