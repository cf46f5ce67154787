import Foundation
import Messaging
import Synchronization
import TestSupport
import Testing

/// An operator lists a service's dead-lettered messages (the queue is left as it was) and
/// replays chosen ones, or all, once the cause is fixed: each is handled once more, and a
/// second replay of the same message finds it gone.
@Suite struct DeadLetterQueueTests {
    @Test func parkedMessagesAreListedWithTheirReasonAndReplayedOnce() async throws {
        let key = "test.parked.\(uniqueName("k"))"
        let topology = QueueTopology(queue: uniqueName("parked-q"), bindings: [key], retryDelay: .milliseconds(50), maxAttempts: 2)
        let publisher = TestStack.test.publisher()
        try await publisher.declare(topology)
        let broken = Mutex(true)
        let handled = Tally()
        let consumer = AMQPConsumer(settings: TestStack.test.amqpSettings(), topology: topology, logger: testLogger) { message in
            if broken.withLock({ $0 }) { throw PermanentMessageError("the vendor is unknown") }
            handled.add(message.messageId ?? "?")
        }
        let running = Task { try await consumer.run() }
        let ids = ["a", "b", "c"].map { uniqueName($0) }
        try await publisher.publish(ids.map { OutgoingMessage(messageId: $0, routingKey: key, body: Data(#"{"id": "\#($0)"}"#.utf8)) })
        #expect(await eventually { (try? await publisher.messageCount(queue: topology.deadLetterQueue)) == 3 })

        let parked = DeadLetterQueue(topology: topology, settings: TestStack.test.amqpSettings())
        let listing = try await parked.list(limit: 2)
        #expect(listing.queue == topology.deadLetterQueue)
        #expect(listing.count == 3, "all parked, though two are listed")
        #expect(listing.messages.map(\.messageId) == Array(ids.prefix(2)), "oldest first")
        #expect(listing.messages.first?.event == key)
        #expect(listing.messages.first?.lastError == "permanent failure: the vendor is unknown")
        #expect(listing.messages.first?.body == #"{"id": "\#(ids[0])"}"#)
        #expect(await eventually { (try? await publisher.messageCount(queue: topology.deadLetterQueue)) == 3 }, "listing took none away")
        #expect(handled.total == 0)

        broken.withLock { $0 = false }
        let first = try await parked.replay(ids: [ids[1], "never-parked"])
        #expect(first == .init(replayed: 1, notFound: ["never-parked"]))
        #expect(await eventually { handled.count(ids[1]) == 1 })
        let again = try await parked.replay(ids: [ids[1]])
        #expect(again == .init(replayed: 0, notFound: [ids[1]]), "replaying twice changes nothing twice")

        let rest = try await parked.replay(ids: nil)
        #expect(rest.replayed == 2)
        #expect(await eventually { handled.count(ids[0]) == 1 && handled.count(ids[2]) == 1 })
        #expect(try await publisher.messageCount(queue: topology.deadLetterQueue) == 0)
        try await Task.sleep(for: .milliseconds(300))
        #expect(handled.total == 3, "each handled once")

        running.cancel()
        _ = try? await running.value
        await publisher.shutdown()
    }

    @Test func aReplayedMessageThatFailsAgainIsParkedAgainWithItsReplaysCounted() async throws {
        let key = "test.reparked.\(uniqueName("k"))"
        let topology = QueueTopology(queue: uniqueName("reparked-q"), bindings: [key], retryDelay: .milliseconds(50), maxAttempts: 2)
        let publisher = TestStack.test.publisher()
        try await publisher.declare(topology)
        let attempts = Tally()
        let consumer = AMQPConsumer(settings: TestStack.test.amqpSettings(), topology: topology, logger: testLogger) { message in
            attempts.add("\(message.replays)-\(message.attempt)")
            throw TransientFailure()
        }
        let running = Task { try await consumer.run() }
        try await publisher.publish([OutgoingMessage(messageId: uniqueName("m"), routingKey: key, body: Data("{}".utf8))])
        let parked = DeadLetterQueue(topology: topology, settings: TestStack.test.amqpSettings())
        #expect(await eventually { (try? await publisher.messageCount(queue: topology.deadLetterQueue)) == 1 })
        #expect(try await parked.replay(ids: nil).replayed == 1)
        #expect(await eventually { (try? await publisher.messageCount(queue: topology.deadLetterQueue)) == 1 }, "parked again")
        #expect(try await parked.list(limit: 1).messages.first?.attempts == 2)
        #expect(attempts.count("0-1") == 1 && attempts.count("0-2") == 1, "two attempts before the replay")
        #expect(attempts.count("1-1") == 1 && attempts.count("1-2") == 1, "two fresh attempts after it")
        running.cancel()
        _ = try? await running.value
        await publisher.shutdown()
    }

    struct TransientFailure: Error {}
}
