import Foundation
import NIOPosix

/// An operator's view of a service's dead-letter queue: what is parked there and why, and a
/// replay that sends chosen messages back to the service's queue with a fresh set of attempts.
///
/// Each call works on a connection of its own. Reading takes messages without acknowledging
/// them, so closing the connection puts every one not replayed back in its place. A replayed
/// message is acknowledged only once the broker confirmed its copy in the service's queue: a
/// crash in between leaves it in both, and it is handled twice, which every consumer's
/// idempotent effect makes harmless; replaying it again finds it gone.
///
/// Two calls on one queue at once would each hold messages the other cannot see: callers
/// run one at a time per queue (the admin endpoint takes a database lock for it).
public final class DeadLetterQueue: Sendable {
    public let topology: QueueTopology
    let settings: AMQPSettings
    /// Messages one replay looks at, at most: a bigger queue takes several calls, each short
    /// enough that the broker's consumer timeout never takes back a message held meanwhile.
    public static let maxScanned = 5_000
    /// Its own thread: a long replay must not take one of the few shared ones.
    private let thread: NIOThreadPool

    public init(topology: QueueTopology, settings: AMQPSettings) {
        self.topology = topology
        self.settings = settings
        thread = NIOThreadPool(numberOfThreads: 1)
        thread.start()
    }

    deinit { thread.shutdownGracefully { _ in } }

    /// One parked message, as an operator needs to judge it.
    public struct Entry: Sendable, Codable, Equatable {
        public var messageId: String
        public var event: String
        public var attempts: Int
        public var lastError: String?
        public var publishedAt: Date?
        public var body: String
    }

    public struct Listing: Sendable, Codable, Equatable {
        public var queue: String
        /// Every message parked, not only those listed.
        public var count: Int
        public var messages: [Entry]
    }

    public struct Replay: Sendable, Codable, Equatable {
        public var replayed: Int
        /// Asked for by id and not parked (never, or replayed already), among those looked at.
        public var notFound: [String]
        /// Parked messages this call did not look at (past `maxScanned`): call again.
        public var remaining: Int

        public init(replayed: Int, notFound: [String], remaining: Int = 0) {
            self.replayed = replayed
            self.notFound = notFound
            self.remaining = remaining
        }
    }

    /// The first `limit` parked messages, oldest first; the queue is left as it was.
    public func list(limit: Int) async throws -> Listing {
        try await blocking { [topology] connection in
            let count = try connection.messageCount(queue: topology.deadLetterQueue)
            var entries: [Entry] = []
            while entries.count < min(limit, count), let message = try connection.get(queue: topology.deadLetterQueue) {
                entries.append(Self.entry(message))
            }
            return Listing(queue: topology.deadLetterQueue, count: count, messages: entries)
        }
    }

    /// Sends the parked messages with these ids (every copy of each), or all of them when
    /// `ids` is nil, back to the service's queue as first attempts.
    public func replay(ids: Set<String>?) async throws -> Replay {
        try await blocking { [topology] connection in
            // The service's queue exists, so the broker cannot confirm a copy it drops.
            try topology.declare(on: connection)
            try connection.enableConfirms()
            // Only the messages there now: one that fails again and comes back is not met twice.
            let count = try connection.messageCount(queue: topology.deadLetterQueue)
            let scanned = min(count, Self.maxScanned)
            var replayed = 0
            var found = Set<String>()
            for _ in 0..<scanned {
                guard let message = try connection.get(queue: topology.deadLetterQueue) else { break }
                let id = message.deduplicationId
                guard ids?.contains(id) ?? true else { continue }
                let copy = message.republished(
                    headers: [Headers.attempt: .int(1), Headers.replays: .int(Int64(message.replays) &+ 1)],
                    routingKey: topology.queue
                )
                _ = try connection.publish(copy, exchange: "")
                guard try connection.waitForConfirms().isEmpty else {
                    throw AMQPError(kind: .rejected, message: "the broker refused the replay of \(id)")
                }
                try connection.ack(message.deliveryTag)
                replayed += 1
                found.insert(id)
            }
            return Replay(replayed: replayed, notFound: (ids ?? []).subtracting(found).sorted(), remaining: count - scanned)
        }
    }

    static func entry(_ message: IncomingMessage) -> Entry {
        Entry(
            messageId: message.deduplicationId,
            event: message.eventType,
            attempts: message.attempt,
            lastError: message.headers[Headers.lastError]?.stringValue,
            publishedAt: message.timestamp,
            body: String(decoding: message.body, as: UTF8.self)
        )
    }

    /// librabbitmq blocks: off the cooperative pool, on a connection closed at the end.
    private func blocking<T: Sendable>(_ body: @escaping @Sendable (AMQPConnection) throws -> T) async throws -> T {
        try await thread.runIfActive { [settings] in
            let connection = try AMQPConnection(settings: settings)
            defer { connection.close() }
            return try body(connection)
        }
    }
}
