import Foundation
import Messaging
import Synchronization

/// Consumes a test queue in the background and keeps what arrives.
public final class MessageCollector: Sendable {
    private final class Store: Sendable {
        let messages = Mutex<[IncomingMessage]>([])
        let markers = Mutex<Set<String>>([])
    }

    private static let markerPrefix = "collector-marker-"
    private let received = Store()
    private let stack: TestStack
    private let queue: String
    private let task: Mutex<Task<Void, any Error>?> = Mutex(nil)

    public init(stack: TestStack = .test, topology: QueueTopology) {
        self.stack = stack
        queue = topology.queue
        let consumer = AMQPConsumer(
            settings: stack.amqpSettings(),
            topology: topology,
            logger: testLogger
        ) { [received] message in
            if let id = message.messageId, id.hasPrefix(Self.markerPrefix) {
                received.markers.withLock { _ = $0.insert(id) }
            } else {
                received.messages.withLock { $0.append(message) }
            }
        }
        task.withLock { $0 = Task { try await consumer.run() } }
    }

    public var messages: [IncomingMessage] { received.messages.withLock { $0 } }

    /// Waits until at least `count` messages arrived; returns them all.
    public func wait(for count: Int, timeout: Duration = patience) async -> [IncomingMessage] {
        _ = await eventually(timeout: timeout) { self.messages.count >= count }
        return messages
    }

    /// Waits until every message the broker had accepted for this queue when called has
    /// arrived, and returns what has: a marker sent to the queue queues up behind them, and
    /// the collector's one worker takes messages in order. (The marker is not kept.) For
    /// "nothing else came" without waiting for a time.
    @discardableResult
    public func settled() async throws -> [IncomingMessage] {
        let id = Self.markerPrefix + UUID().uuidString
        let publisher = stack.publisher()
        do {
            try await publisher.publishMarker(id, to: queue)
        } catch {
            await publisher.shutdown()
            throw error
        }
        await publisher.shutdown()
        let arrived = await eventually { self.received.markers.withLock { $0.contains(id) } }
        guard arrived else { throw TestFailure("a marker sent to \(queue) did not arrive within \(patience)") }
        return messages
    }

    public func stop() async {
        let task = task.withLock { $0 }
        task?.cancel()
        _ = try? await task?.value
    }
}

extension AMQPPublisher {
    /// Publishes `text` (as message id and body) straight to `queue`, through the default
    /// exchange, so no other queue sees it. It queues up behind every message the broker had
    /// accepted for that queue; sent to a consumer's retry queue, it comes back to the main
    /// queue after the retry delay, behind what waited in either. So once a consumer with one
    /// worker has handled it, that consumer has handled those messages too.
    public func publishMarker(_ text: String, to queue: String) async throws {
        let refused = try await publish([OutgoingMessage(messageId: text, routingKey: queue, body: Data(text.utf8))], exchange: "")
        guard refused.isEmpty else { throw TestFailure("the broker refused a marker for \(queue)") }
    }
}
