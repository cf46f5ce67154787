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
    /// messages: each worker finishes the one in hand, the rest stay queued, and a new
    /// consumer handles them. Every message has its effect exactly once.
    @Test func sigtermWhileMessagesAreInFlightLosesNone() async throws {
        let pool = try await preparedPool()
        let table = uniqueName("drain")
        _ = try await pool.query(PostgresQuery(unsafeSQL: "CREATE TABLE \(table) (message_id text PRIMARY KEY)"))
        let key = "test.drain.\(uniqueName("k"))"
        let topology = QueueTopology(queue: uniqueName("drain-q"), bindings: [key], prefetch: 10)
        let publisher = TestStack.test.publisher()
        try await publisher.declare(topology)

        let started = Tally()
        /// `holding`: each message is held until shutdown has begun, so that the signal finds
        /// both workers with a message in hand and the rest queued, whatever the machine's speed.
        func consumer(holding: Bool) -> AMQPConsumer {
            AMQPConsumer(settings: TestStack.test.amqpSettings(), topology: topology, concurrency: 2, logger: testLogger) { message in
                started.add()
                if holding { _ = await eventually(every: .milliseconds(10)) { Task.isShuttingDownGracefully } }
                _ = try await pool.query(
                    PostgresQuery(
                        unsafeSQL: "INSERT INTO \(table) VALUES ($1) ON CONFLICT DO NOTHING",
                        binds: [message.messageId]
                    )
                )
            }
        }
        let total = 40
        try await publisher.publish(
            (0..<total).map {
                OutgoingMessage(messageId: "drain-\($0)", routingKey: key, body: Data("{}".utf8))
            }
        )

        let group = ServiceGroup(
            configuration: .init(
                services: [consumer(holding: true)],
                gracefulShutdownSignals: [.sigterm],
                logger: testLogger
            )
        )
        let running = Task { try await group.run() }
        #expect(await eventually { started.total >= 2 }, "each worker holds a message")
        kill(getpid(), SIGTERM)
        try await running.value  // returns once drained

        let handledBeforeStop = try await count(table, pool)
        #expect(handledBeforeStop == 2, "each worker finished the message in hand and took no other")
        #expect(
            await eventually { (try? await publisher.messageCount(queue: topology.queue)) == total - handledBeforeStop },
            "every message not handled went back to the queue"
        )

        let second = consumer(holding: false)
        let resumed = Task { try await second.run() }
        #expect(await eventually { (try? await count(table, pool)) == total })
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
