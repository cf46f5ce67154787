import Foundation
import Messaging
import Postgres
import ServiceKit
import Synchronization
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

    /// A handler that fails because a dependency is down, for longer than all of a message's
    /// attempts would last, uses up none of them: the worker holds the message, reports that it
    /// waits, and handles it once the dependency is back; nothing is dead-lettered.
    @Test func anOutageUsesUpNoAttemptsAndTheMessageIsHandledWhenItEnds() async throws {
        let key = "test.outage.\(uniqueName("k"))"
        let topology = QueueTopology(queue: uniqueName("outage-q"), bindings: [key], retryDelay: .milliseconds(50), maxAttempts: 2)
        let publisher = TestStack.test.publisher()
        try await publisher.declare(topology)

        struct DatabaseDown: Error {}
        let down = Mutex(true)
        let calls = Tally()
        let health = ConsumerHealth()
        let outage = DependencyOutage(
            backoff: RetryPolicy(base: .milliseconds(20), cap: .milliseconds(100)),
            isOutage: { $0 is DatabaseDown },
            isBack: {
                calls.add("look")
                return !down.withLock { $0 }
            }
        )
        let consumer = AMQPConsumer(
            settings: TestStack.test.amqpSettings(),
            topology: topology,
            logger: testLogger,
            outage: outage,
            health: health
        ) { message in
            let body = String(decoding: message.body, as: UTF8.self)
            if down.withLock({ $0 }) {
                calls.add("\(body) failed")
                throw DatabaseDown()
            }
            #expect(message.attempt == 1, "no attempt used up")
            calls.add(body)
        }
        let running = Task { try await consumer.run() }
        #expect(await eventually { health.problem == nil }, "consuming")

        try await publisher.publish([OutgoingMessage(messageId: UUID().uuidString, routingKey: key, body: Data("held".utf8))])
        #expect(await eventually { health.problem?.contains("waiting out an outage") == true })
        // Far longer than two attempts 50-100 ms apart.
        #expect(await eventually { calls.count("look") >= 5 }, "the dependency looked at again and again")
        #expect(calls.count("held failed") == 1, "the message held meanwhile, not retried nor parked")
        #expect(try await publisher.messageCount(queue: topology.deadLetterQueue) == 0)
        down.withLock { $0 = false }
        #expect(await eventually { calls.count("held") == 1 }, "handled once the dependency is back")
        #expect(await eventually { health.problem == nil }, "consuming again")
        try await publisher.publishMarker("marker", to: topology.queue)
        #expect(await eventually { calls.count("marker") == 1 })
        #expect(calls.count("held") == 1, "and not again")
        #expect(try await publisher.messageCount(queue: topology.deadLetterQueue) == 0)
        #expect(try await publisher.messageCount(queue: topology.retryQueue) == 0)

        running.cancel()
        _ = try? await running.value
        await publisher.shutdown()
    }

    /// A message whose handler meets an "outage" even while the dependency answers (a query
    /// that breaks its own connection) is not held for ever: after a few rounds each such
    /// failure takes an attempt, and the message ends in the dead-letter queue.
    @Test func aMessageThatBreaksItsConnectionEveryTimeIsNotHeldForEver() async throws {
        let key = "test.breaker.\(uniqueName("k"))"
        let topology = QueueTopology(queue: uniqueName("crash-q"), bindings: [key], retryDelay: .milliseconds(50), maxAttempts: 2)
        let publisher = TestStack.test.publisher()
        try await publisher.declare(topology)
        struct ConnectionLost: Error {}
        let calls = Tally()
        let consumer = AMQPConsumer(
            settings: TestStack.test.amqpSettings(),
            topology: topology,
            logger: testLogger,
            outage: DependencyOutage(
                backoff: RetryPolicy(base: .milliseconds(10), cap: .milliseconds(20)),
                isOutage: { $0 is ConnectionLost },
                isBack: { true }
            )
        ) { _ in
            calls.add()
            throw ConnectionLost()
        }
        let running = Task { try await consumer.run() }
        try await publisher.publish([OutgoingMessage(messageId: UUID().uuidString, routingKey: key, body: Data("crash".utf8))])
        #expect(await eventually { (try? await publisher.messageCount(queue: topology.deadLetterQueue)) == 1 })
        #expect(calls.total == 2 * 4, "each of its 2 attempts: the first try and 3 more after the database answered")
        running.cancel()
        _ = try? await running.value
        await publisher.shutdown()
    }

    /// A publisher declares the queues of the services that consume what it sends, with their
    /// bindings, before it publishes: an event sent before its consumer ever ran waits in the
    /// consumer's queue rather than in `marketplace.unrouted`.
    @Test func anEventPublishedBeforeItsConsumerEverRanWaitsInItsQueue() async throws {
        let key = "test.early.\(uniqueName("k"))"
        let topology = QueueTopology(queue: uniqueName("early-q"), bindings: [key])
        let publisher = AMQPPublisher(settings: TestStack.test.amqpSettings(), logger: testLogger, consumerQueues: [topology])
        let refused = try await publisher.publish([OutgoingMessage(messageId: UUID().uuidString, routingKey: key, body: Data("{}".utf8))])
        #expect(refused.isEmpty)
        #expect(try await publisher.messageCount(queue: topology.queue) == 1, "waiting for its first consumer")
        #expect(try await publisher.messageCount(queue: topology.retry(afterAttempt: 4).queue) == 0, "its retry queues exist too")
        await publisher.shutdown()
    }

    @Test func eachFailureWaitsInALongerRetryQueueChosenAtRandomWithinItsTier() {
        let topology = QueueTopology(queue: "q", bindings: [], retryDelay: .seconds(2))
        #expect(topology.retryTiers == [.seconds(2), .seconds(8), .seconds(30), .seconds(120)])
        func retry(_ attempt: Int, _ random: Double) -> String { topology.retry(afterAttempt: attempt, random: random).queue }
        #expect(retry(1, 0.99) == "q.retry", "the queue older releases use")
        #expect(topology.retry(afterAttempt: 1, random: 0.99).wait == .seconds(2))
        #expect(retry(1, 0) == "q.retry.1000ms", "half the tier's wait at least")
        #expect(topology.retry(afterAttempt: 1, random: 0).wait == .seconds(1))
        #expect(retry(2, 0.3) == "q.retry.5333ms")
        #expect(retry(4, 0.6) == "q.retry.100000ms")
        #expect(retry(9, 0.99) == "q.retry.120000ms", "the last tier repeats")
        let queues = topology.retryTiers.indices.flatMap { topology.retryQueues(tier: $0).map(\.queue) }
        #expect(Set(queues).count == 16, "every queue its own name, so its own TTL")
        #expect(Set((0..<200).map { _ in topology.retry(afterAttempt: 1).queue }).count > 1, "spread")
    }
}
