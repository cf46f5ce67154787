import Foundation
import Glibc
import Logging
import Messaging
import Postgres
import ServiceKit
import ServiceLifecycle
import TestSupport
import Testing

@Suite struct GracefulShutdownTests {
    /// A real SIGTERM reaches a service group whose consumer is mid-way through a queue of
    /// slow messages: it finishes the one in hand, the rest stay queued, and a new consumer
    /// handles them. Every message has its effect exactly once.
    @Test func sigtermWhileMessagesAreInFlightLosesNone() async throws {
        let pool = try await preparedPool()
        let table = uniqueName("drain")
        _ = try await pool.query(PostgresQuery(unsafeSQL: "CREATE TABLE \(table) (message_id text PRIMARY KEY)"))
        let key = "test.drain.\(uniqueName("k"))"
        let topology = QueueTopology(queue: uniqueName("drain-q"), bindings: [key], prefetch: 10)
        let publisher = TestStack.test.publisher()
        try await publisher.declare(topology)

        let started = Tally()
        let inbox = Inbox(pool: pool, consumer: topology.queue)
        func consumer() -> AMQPConsumer {
            AMQPConsumer(settings: TestStack.test.amqpSettings(), topology: topology, concurrency: 2, logger: testLogger) { message in
                started.add()
                try await inbox.process(message) { tx in
                    try await Task.sleep(for: .milliseconds(100))
                    _ = try await tx.query(PostgresQuery(unsafeSQL: "INSERT INTO \(table) VALUES ($1)", binds: [message.messageId]))
                }
            }
        }
        let total = 40
        try await publisher.publish((0..<total).map {
            OutgoingMessage(messageId: "drain-\($0)", routingKey: key, body: Data("{}".utf8))
        })

        let group = ServiceGroup(configuration: .init(
            services: [consumer()], gracefulShutdownSignals: [.sigterm], logger: testLogger))
        let running = Task { try await group.run() }
        #expect(await eventually { started.total >= 4 })
        kill(getpid(), SIGTERM)
        try await running.value  // returns once drained

        let handledBeforeStop = try await count(table, pool)
        #expect(handledBeforeStop < total, "shutdown came while messages were still queued")
        #expect(await eventually { (try? await publisher.messageCount(queue: topology.queue)) == total - handledBeforeStop },
                "every message not handled went back to the queue")

        let second = consumer()
        let resumed = Task { try await second.run() }
        #expect(await eventually(timeout: .seconds(20)) { (try? await count(table, pool)) == total })
        resumed.cancel()
        _ = try? await resumed.value
        #expect(try await publisher.messageCount(queue: topology.deadLetterQueue) == 0)
        _ = try await pool.query(PostgresQuery(unsafeSQL: "DROP TABLE \(table)"))
        await publisher.shutdown()
        await pool.close()
    }
}

private func count(_ table: String, _ pool: PostgresPool) async throws -> Int {
    try await pool.query(PostgresQuery(unsafeSQL: "SELECT count(*)::int AS n FROM \(table)")).scalar("n", as: Int.self) ?? 0
}
