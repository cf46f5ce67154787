import Foundation
import Messaging
import TestSupport
import Testing

@Suite struct BatchConsumerTests {
    /// Messages waiting together are handed over together and acknowledged together; a batch
    /// that fails is handled message by message, so only the bad message is dead-lettered.
    @Test func waitingMessagesComeInBatchesAndAFailedBatchFallsBackToSingles() async throws {
        let key = "test.batch.\(uniqueName("k"))"
        let topology = QueueTopology(queue: uniqueName("batch-q"), bindings: [key], retryDelay: .milliseconds(100), prefetch: 100)
        let publisher = TestStack.test.publisher()
        try await publisher.declare(topology)
        // Published before the consumer starts, so they are all waiting.
        let bodies = (0..<40).map { "m\($0)" } + ["bad"] + (40..<60).map { "m\($0)" }
        _ = try await publisher.publish(bodies.map { OutgoingMessage(messageId: $0, routingKey: key, body: Data($0.utf8)) })

        let batchSizes = Tally()
        let handled = Tally()
        let singles = Tally()
        let batching = AMQPConsumer.Batching(maxBatch: 25) { messages in
            let texts = messages.map { String(decoding: $0.body, as: UTF8.self) }
            if texts.contains("bad") { throw PermanentMessageError("a bad message in the batch") }
            batchSizes.add("batches")
            batchSizes.add("largest", max(0, messages.count - batchSizes.count("largest")))
            for text in texts { handled.add(text) }
        }
        let consumer = AMQPConsumer(
            settings: TestStack.test.amqpSettings(),
            topology: topology,
            logger: testLogger,
            batching: batching
        ) { message in
            let text = String(decoding: message.body, as: UTF8.self)
            if text != "marker" { singles.add() }
            if text == "bad" { throw PermanentMessageError("bad") }
            handled.add(text)
        }
        let running = Task { try await consumer.run() }
        #expect(await eventually { (0..<60).allSatisfy { handled.count("m\($0)") >= 1 } })
        // Behind anything still queued or retrying: once handled, nothing more is to come.
        try await publisher.publishMarker("marker", to: topology.retryQueue)
        #expect(await eventually { handled.count("marker") == 1 })
        #expect((0..<60).allSatisfy { handled.count("m\($0)") == 1 }, "every good message handled exactly once")
        #expect(handled.count("bad") == 0)
        #expect(batchSizes.count("largest") > 1, "waiting messages arrive in batches")
        #expect(batchSizes.count("largest") <= 25)
        #expect(singles.total >= 1 && singles.total <= 25, "only the failed batch is retried one by one")
        #expect(await eventually { (try? await publisher.messageCount(queue: topology.queue)) == 0 })
        #expect(await eventually { (try? await publisher.messageCount(queue: topology.deadLetterQueue)) == 1 })
        running.cancel()
        _ = try? await running.value
        await publisher.shutdown()
    }

    /// With `eventType`, only messages of that type go to the batch handler together; any
    /// other waiting among them is handled on its own, and nothing is handled twice.
    @Test func aBatchHoldsOnlyItsEventType() async throws {
        let key = "test.batch.\(uniqueName("a"))"
        let other = "test.batch.\(uniqueName("b"))"
        let topology = QueueTopology(queue: uniqueName("batch-type-q"), bindings: [key, other], prefetch: 100)
        let publisher = TestStack.test.publisher()
        try await publisher.declare(topology)
        let messages =
            (0..<30).map { OutgoingMessage(messageId: "a\($0)", routingKey: key, body: Data("a\($0)".utf8)) }
            + [OutgoingMessage(messageId: "b", routingKey: other, body: Data("b".utf8))]
            + (30..<60).map { OutgoingMessage(messageId: "a\($0)", routingKey: key, body: Data("a\($0)".utf8)) }
        _ = try await publisher.publish(messages)

        let handled = Tally()
        let batchedOther = Tally()
        let batching = AMQPConsumer.Batching(maxBatch: 20, eventType: key) { batch in
            for message in batch {
                if message.eventType != key { batchedOther.add() }
                handled.add(String(decoding: message.body, as: UTF8.self))
            }
        }
        let consumer = AMQPConsumer(
            settings: TestStack.test.amqpSettings(),
            topology: topology,
            logger: testLogger,
            batching: batching
        ) { message in
            handled.add(String(decoding: message.body, as: UTF8.self))
        }
        let running = Task { try await consumer.run() }
        #expect(await eventually { handled.count("b") == 1 && (0..<60).allSatisfy { handled.count("a\($0)") >= 1 } })
        // Behind anything still queued: once handled, nothing more is to come.
        try await publisher.publishMarker("marker", to: topology.queue)
        #expect(await eventually { handled.count("marker") == 1 })
        #expect((0..<60).allSatisfy { handled.count("a\($0)") == 1 } && handled.count("b") == 1, "each handled once")
        #expect(batchedOther.total == 0, "the other event type never reaches the batch handler")
        running.cancel()
        _ = try? await running.value
        await publisher.shutdown()
    }
}
