import Foundation
import TestSupport
import Testing

@testable import Messaging

/// `marketplace.unrouted.bounded` keeps the last 10,000 events nobody is bound to, and the
/// unbounded `marketplace.unrouted` of earlier releases is retired (every service's queue
/// monitor tries, every pass): deleted if empty, else unbound and kept for an operator. On a
/// vhost of its own, since every service on "/" retires it.
@Suite struct UnroutedQueueTests {
    let settings = try! AMQPSettings(url: TestStack.test.amqpURL.replacingOccurrences(of: "/%2f", with: "/legacy"))

    /// The objects as an earlier release declared them, with `events` events waiting.
    func earlierRelease(holding events: Int) async throws {
        let connection = try AMQPConnection(settings: settings)
        defer { connection.close() }
        try connection.deleteQueue(Topology.legacyUnroutedQueue, ifEmpty: false)  // an earlier run's
        try connection.declareExchange(Topology.unroutedExchange, type: "fanout")
        try connection.declareQueue(Topology.legacyUnroutedQueue)
        try connection.bindQueue(Topology.legacyUnroutedQueue, exchange: Topology.unroutedExchange, routingKey: "")
        try connection.declareExchange(
            Topology.eventsExchange,
            type: "topic",
            arguments: ["alternate-exchange": .string(Topology.unroutedExchange)]
        )
        for _ in 0..<events {
            _ = try connection.publish(
                OutgoingMessage(messageId: UUID().uuidString, routingKey: "test.old.\(uniqueName("k"))", body: Data("{}".utf8)),
                exchange: Topology.eventsExchange
            )
        }
        #expect(await eventually { (try? connection.messageCount(queue: Topology.legacyUnroutedQueue)) == events })
    }

    func legacyCount() throws -> Int {
        let connection = try AMQPConnection(settings: settings)
        defer { connection.close() }
        return try connection.messageCount(queue: Topology.legacyUnroutedQueue)
    }

    func publishUnrouted(_ count: Int, with publisher: AMQPPublisher) async throws {
        let messages = (0..<count).map { _ in
            OutgoingMessage(messageId: UUID().uuidString, routingKey: "test.nobody.\(uniqueName("k"))", body: Data("{}".utf8))
        }
        for batch in stride(from: 0, to: messages.count, by: 500) {
            let refused = try await publisher.publish(Array(messages[batch..<min(batch + 500, messages.count)]))
            #expect(refused.isEmpty)
        }
    }

    @Test func theOldQueueIsRetiredAndTheNewOneKeepsOnlyTheLatestEvents() async throws {
        let reset = try AMQPConnection(settings: settings)
        try reset.deleteQueue(Topology.unroutedQueue, ifEmpty: false)  // an earlier run's events
        reset.close()
        // Holding events: unbound, so it stops growing, and kept for an operator to read.
        try await earlierRelease(holding: 2)
        #expect(try LegacyUnroutedQueue.retire(settings: settings) == .kept(messages: 2))
        let first = AMQPPublisher(settings: settings, logger: testLogger)
        try await publishUnrouted(1, with: first)
        #expect(await eventually { (try? await first.messageCount(queue: Topology.unroutedQueue)) == 1 }, "kept in the bounded queue")
        #expect(try legacyCount() == 2, "kept, and no longer receiving")
        await first.shutdown()

        // Empty (an operator read and purged it, or nothing ever went unrouted): deleted.
        try await earlierRelease(holding: 0)
        #expect(try LegacyUnroutedQueue.retire(settings: settings) == .gone)
        #expect(throws: AMQPError.self, "deleted") { try legacyCount() }
        #expect(try LegacyUnroutedQueue.retire(settings: settings) == .gone, "and gone stays gone")
        let second = AMQPPublisher(settings: settings, logger: testLogger)

        // Bounded: past its limit, the oldest events go.
        try await publishUnrouted(Topology.unroutedLimit + 5, with: second)
        #expect(await eventually { (try? await second.messageCount(queue: Topology.unroutedQueue)) == Topology.unroutedLimit })
        await second.shutdown()
        // And declared so: the broker refuses the same queue without its limit.
        let unbounded = try AMQPConnection(settings: settings)
        defer { unbounded.close() }
        #expect(throws: AMQPError.self) { try unbounded.declareQueue(Topology.unroutedQueue) }
    }
}
