import Foundation
import Messaging
import Synchronization

/// Consumes a test queue in the background and keeps what arrives.
public final class MessageCollector: Sendable {
    private final class Store: Sendable {
        let messages = Mutex<[IncomingMessage]>([])
    }

    private let received = Store()
    private let task: Mutex<Task<Void, any Error>?> = Mutex(nil)

    public init(stack: TestStack = .test, topology: QueueTopology) {
        let consumer = AMQPConsumer(
            settings: stack.amqpSettings(), topology: topology, logger: testLogger
        ) { [received] message in
            received.messages.withLock { $0.append(message) }
        }
        task.withLock { $0 = Task { try await consumer.run() } }
    }

    public var messages: [IncomingMessage] { received.messages.withLock { $0 } }

    /// Waits until at least `count` messages arrived; returns them all.
    public func wait(for count: Int, timeout: Duration = .seconds(15)) async -> [IncomingMessage] {
        _ = await eventually(timeout: timeout) { self.messages.count >= count }
        return messages
    }

    public func stop() async {
        let task = task.withLock { $0 }
        task?.cancel()
        _ = try? await task?.value
    }
}
