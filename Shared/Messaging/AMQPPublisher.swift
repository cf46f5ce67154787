import Common
import Logging
import NIOConcurrencyHelpers
import NIOPosix

/// Publishes persistent messages with publisher confirms, a batch at a time.
///
/// Its connection lives on one dedicated thread (librabbitmq is not thread-safe per
/// connection); a broken connection is replaced on the next call, so the publisher recovers
/// by itself once the broker is back. `@unchecked Sendable`: `connection` is touched only by
/// jobs on `thread`, which runs them one at a time.
public final class AMQPPublisher: @unchecked Sendable {
    private let settings: AMQPSettings
    private let logger: Logger
    private let thread: NIOThreadPool
    private var connection: AMQPConnection?
    private let opened = NIOLockedValueBox(0)
    private var keepalive: Task<Void, Never>?
    /// The queues of the services that consume what this publisher sends, declared with their
    /// bindings on every new connection, before anything is published on it: an event sent
    /// before its consumer ever ran (a fresh broker, a consumer not deployed yet) waits in the
    /// consumer's queue instead of in the unrouted queue. On a connection of its own, and
    /// best-effort: a broker user without configure rights on those queues is refused there,
    /// and that must not stop the publishing.
    private let consumerQueues: [QueueTopology]

    public init(settings: AMQPSettings, logger: Logger, consumerQueues: [QueueTopology] = []) {
        self.settings = settings
        self.logger = logger
        self.consumerQueues = consumerQueues
        thread = NIOThreadPool(numberOfThreads: 1)
        thread.start()
        // Heartbeats at a third of the negotiated interval keep an idle connection open.
        let interval = Duration.milliseconds(max(200, settings.heartbeatSeconds * 1000 / 3))
        keepalive =
            settings.heartbeatSeconds > 0
            ? Task { [weak self] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    guard let self else { return }
                    await self.beat()
                }
            } : nil
    }

    /// How many connections this publisher has opened (one unless one was lost).
    public var connectionsOpened: Int { opened.withLockedValue { $0 } }

    /// Publishes `messages` in order and waits for the broker's confirms.
    ///
    /// Returns the ids of messages the broker refused (they may be published again). Throws if
    /// the broker could not be reached; then none of the batch counts as published, although
    /// some may have been (consumers deduplicate by message id).
    @discardableResult
    public func publish(_ messages: [OutgoingMessage], exchange: String = Topology.eventsExchange) async throws -> Set<String> {
        guard !messages.isEmpty else { return [] }
        return try await onThread { [self] in
            do {
                return try publishOnce(messages, exchange: exchange)
            } catch let error as AMQPError where error.kind != .rejected {
                // An idle connection may have died unnoticed (heartbeats run only inside library
                // calls): try once more on a fresh one before giving up.
                dropConnection(error)
                return try publishOnce(messages, exchange: exchange)
            }
        }
    }

    /// Whether the broker answers now (opening a connection if needed).
    public func checkHealth() async -> Bool {
        do {
            try await onThread { [self] in
                do {
                    try connected().ping(exchange: Topology.eventsExchange)
                } catch {
                    dropConnection(error)
                    throw error
                }
            }
            return true
        } catch {
            return false
        }
    }

    public func shutdown() async {
        keepalive?.cancel()
        _ = try? await onThread { [self] in
            connection?.close()
            connection = nil
        }
        try? await thread.shutdownGracefully()
    }

    private func beat() async {
        _ = try? await onThread { [self] in
            do {
                try connection?.sendHeartbeat()
            } catch {
                dropConnection(error)
            }
        }
    }

    private func publishOnce(_ messages: [OutgoingMessage], exchange: String) throws -> Set<String> {
        let connection = try connected()
        do {
            var ids = [UInt64: String]()
            for message in messages {
                ids[try connection.publish(message, exchange: exchange)] = message.messageId
            }
            return Set(try connection.waitForConfirms().compactMap { ids[$0] })
        } catch {
            dropConnection(error)
            throw error
        }
    }

    private func connected() throws -> AMQPConnection {
        if let connection { return connection }
        let fresh = try AMQPConnection(settings: settings)
        do {
            try Topology.declareEvents(on: fresh)
            try fresh.enableConfirms()
        } catch {
            fresh.close()
            throw error
        }
        if !consumerQueues.isEmpty { declareConsumerQueues() }
        connection = fresh
        opened.withLockedValue { $0 += 1 }
        logger.debug("amqp publisher connected")
        return fresh
    }

    private func declareConsumerQueues() {
        do {
            let setup = try AMQPConnection(settings: settings)
            defer { setup.close() }
            for topology in consumerQueues { try topology.declare(on: setup) }
        } catch {
            logger.warning(
                "could not declare the queues of this service's consumers (configure rights on them?); an event published before its consumer first runs waits in the unrouted queue",
                metadata: [LogKey.error: "\(error)"]
            )
        }
    }

    private func dropConnection(_ error: any Error) {
        guard connection != nil else { return }
        logger.warning("amqp publisher connection lost", metadata: [LogKey.error: "\(error)"])
        connection?.close()
        connection = nil
    }

    func onThreadChecked<T: Sendable>(_ body: @escaping @Sendable (AMQPConnection) throws -> T) async throws -> T {
        try await onThread { [self] in
            do {
                return try body(try connected())
            } catch {
                dropConnection(error)
                throw error
            }
        }
    }

    private func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        do {
            return try await thread.runIfActive(body)
        } catch is NIOThreadPoolError.ThreadPoolInactive {
            throw AMQPError(kind: .connection, message: "publisher is shut down")
        }
    }
}

extension AMQPPublisher {
    /// Messages waiting in `queue` (for tests and operations); throws if it does not exist.
    public func messageCount(queue: String) async throws -> Int {
        try await onThreadChecked { try $0.messageCount(queue: queue) }
    }
}

extension AMQPPublisher {
    /// Declares a consumer's queues and bindings without consuming (tests and tooling).
    public func declare(_ topology: QueueTopology) async throws {
        try await onThreadChecked { try topology.declare(on: $0) }
    }
}
