import Foundation
import Messaging
import Postgres
import ServiceKit
import TestSupport
import Testing

@Suite struct ConsumerTests {
    @Test func everyCopyOfARepublishedMessageIsHandledAndAnIdempotentEffectHappensOnce() async throws {
        let pool = try await preparedPool()
        let table = uniqueName("effects")
        _ = try await pool.query(PostgresQuery(unsafeSQL: "CREATE TABLE \(table) (message_id text PRIMARY KEY)"))
        let key = "test.dup.\(uniqueName("k"))"
        let topology = QueueTopology(queue: uniqueName("dup-q"), bindings: [key])
        let publisher = TestStack.test.publisher()
        try await publisher.declare(topology)

        let calls = Tally()
        let consumer = AMQPConsumer(settings: TestStack.test.amqpSettings(), topology: topology, concurrency: 2, logger: testLogger) { message in
            // The effect is idempotent by the message's id, as the services' effects are by the
            // facts they record.
            _ = try await pool.query(
                PostgresQuery(
                    unsafeSQL: "INSERT INTO \(table) VALUES ($1) ON CONFLICT DO NOTHING",
                    binds: [message.messageId]
                )
            )
            calls.add()  // once handled, so that four calls means all four are done
        }
        let running = Task { try await consumer.run() }

        let message = OutgoingMessage(messageId: UUID().uuidString, routingKey: key, body: Data("{}".utf8))
        let other = OutgoingMessage(messageId: UUID().uuidString, routingKey: key, body: Data("{}".utf8))
        // The same message three times (a relay that crashed before marking it sent, say).
        try await publisher.publish([message, message, other, message])
        #expect(await eventually { calls.total == 4 })
        let effects = try await pool.query(PostgresQuery(unsafeSQL: "SELECT message_id FROM \(table) ORDER BY 1"))
            .map { try $0.decode("message_id", as: String.self) }
        #expect(effects == [message.messageId, other.messageId].sorted())

        running.cancel()
        _ = try? await running.value
        _ = try await pool.query(PostgresQuery(unsafeSQL: "DROP TABLE \(table)"))
        await publisher.shutdown()
        await pool.close()
    }

    @Test func aMessageThatAlwaysFailsIsDeadLetteredAfterBoundedTries() async throws {
        let key = "test.poison.\(uniqueName("k"))"
        let topology = QueueTopology(queue: uniqueName("poison-q"), bindings: [key], retryDelay: .milliseconds(100), maxAttempts: 3)
        let publisher = TestStack.test.publisher()
        try await publisher.declare(topology)

        let attempts = Tally()
        struct Failure: Error {}
        let consumer = AMQPConsumer(settings: TestStack.test.amqpSettings(), topology: topology, logger: testLogger) { message in
            let body = String(decoding: message.body, as: UTF8.self)
            attempts.add(body)
            if body == "poison" { throw Failure() }
            if body == "malformed" { throw PermanentMessageError("not JSON") }
        }
        let running = Task { try await consumer.run() }

        try await publisher.publish([
            OutgoingMessage(messageId: "poison-1", routingKey: key, body: Data("poison".utf8)),
            OutgoingMessage(messageId: "malformed-1", routingKey: key, body: Data("malformed".utf8)),
            OutgoingMessage(messageId: "good-1", routingKey: key, body: Data("good".utf8)),
        ])
        #expect(await eventually { attempts.count("good") == 1 }, "the consumer goes on with the next message")
        #expect(await eventually { (try? await publisher.messageCount(queue: topology.deadLetterQueue)) == 2 })
        // A marker through the retry queue comes back behind any copy still retrying or queued:
        // once the one worker has handled it, no attempt is left to come.
        try await publisher.publishMarker("marker", to: topology.retryQueue)
        #expect(await eventually { attempts.count("marker") == 1 })
        #expect(attempts.count("poison") == 3, "tried exactly maxAttempts times")
        #expect(attempts.count("malformed") == 1, "a permanent failure is not retried")
        #expect(attempts.count("good") == 1)
        #expect(try await publisher.messageCount(queue: topology.queue) == 0)
        #expect(try await publisher.messageCount(queue: topology.retryQueue) == 0)

        running.cancel()
        _ = try? await running.value
        await publisher.shutdown()
    }
}
