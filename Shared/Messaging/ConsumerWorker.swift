import Common
import Foundation
import Logging
import Metrics
import NIOPosix
import ServiceLifecycle

/// One consuming connection. `@unchecked Sendable`: `connection` is touched only by jobs on
/// `thread`, a single-thread pool.
final class ConsumerWorker: @unchecked Sendable {
    private let settings: AMQPSettings
    private let topology: QueueTopology
    private let handler: AMQPConsumer.Handler
    private let batching: AMQPConsumer.Batching?
    private let outage: DependencyOutage?
    private let health: ConsumerHealth?
    private let index: Int
    private let thread = NIOThreadPool(numberOfThreads: 1)
    private let republisher: AMQPPublisher
    private var logger: Logger
    private var connection: AMQPConnection?
    private let acked: Counter
    private let retried: Counter
    private let deadLettered: Counter
    private let requeued: Counter
    private let waitedOut: Counter

    init(
        settings: AMQPSettings,
        topology: QueueTopology,
        logger: Logger,
        index: Int = 0,
        batching: AMQPConsumer.Batching? = nil,
        outage: DependencyOutage? = nil,
        health: ConsumerHealth? = nil,
        handler: @escaping AMQPConsumer.Handler
    ) {
        self.settings = settings
        self.topology = topology
        self.logger = logger
        self.index = index
        self.batching = batching
        self.outage = outage
        self.health = health
        self.handler = handler
        self.logger[metadataKey: LogKey.amqpQueue] = "\(topology.queue)"
        republisher = AMQPPublisher(settings: settings, logger: logger)
        func counter(_ outcome: String) -> Counter {
            Counter(label: "amqp_messages_total", dimensions: [("queue", topology.queue), ("outcome", outcome)])
        }
        acked = counter("acked")
        retried = counter("retried")
        deadLettered = counter("dead_lettered")
        requeued = counter("requeued")
        waitedOut = Counter(label: "amqp_outage_waits_total", dimensions: [("queue", topology.queue)])
    }

    func run() async {
        thread.start()
        health?.set(.starting, worker: index)
        var failures = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await connect()
                health?.set(.consuming, worker: index)
                failures = 0
                let maxBatch = batching?.maxBatch ?? 1
                while !Task.isShuttingDownGracefully && !Task.isCancelled {
                    // The first message is waited for; more are taken only if already here.
                    let messages = try await onThread { connection -> [IncomingMessage] in
                        guard let first = try connection.nextDelivery(timeout: .milliseconds(250)) else { return [] }
                        var messages = [first]
                        while messages.count < maxBatch, let next = try connection.nextDelivery(timeout: .zero) {
                            messages.append(next)
                        }
                        return messages
                    }
                    if let batching, batching.takes(messages) {
                        try await handle(batch: messages, with: batching.handler)
                    } else {
                        for message in messages { try await handle(message) }
                    }
                }
            } catch {
                logger.warning("amqp consumer connection lost; reconnecting", metadata: [LogKey.error: "\(error)"])
                health?.set(.reconnecting(reason: Self.reason(error)), worker: index)
                await disconnect()
                failures += 1
                let pause = RetryPolicy.reconnect.delay(attempt: failures)
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
            }
        }
        await disconnect()
        await republisher.shutdown()
        try? await thread.shutdownGracefully()
    }

    private func connect() async throws {
        let settings = self.settings
        let topology = self.topology
        try await runOnThread { [self] in
            let fresh = try AMQPConnection(settings: settings)
            do {
                try topology.declare(on: fresh)
                try fresh.startConsuming(queue: topology.queue, prefetch: topology.prefetch)
            } catch {
                fresh.close()
                throw error
            }
            connection = fresh
        }
        logger.info("amqp consumer started", metadata: [LogKey.amqpBindings: "\(topology.bindings)"])
    }

    private func disconnect() async {
        _ = try? await runOnThread { [self] in
            connection?.close()
            connection = nil
        }
    }

    private func handle(_ message: IncomingMessage) async throws {
        var logger = self.logger
        logger[metadataKey: LogKey.amqpRoutingKey] = "\(message.eventType)"
        logger[metadataKey: LogKey.amqpMessageId] = "\(message.messageId ?? "-")"
        // Times the dependency answered again and the handler still met an outage: past a few,
        // it is the message that breaks the connection (a query that crashes its backend, say),
        // and it takes its attempts like any failing message.
        var failedAfterRecovery = 0
        while true {
            do {
                try await handler(message)
                break
            } catch let error where outage?.isOutage(error) == true && failedAfterRecovery < Self.outageRoundsPerAttempt {
                guard try await waitOut(error, logger: logger) else {
                    // Shutting down mid-outage: the message goes back to the queue, unused.
                    try await onThread { try $0.reject(message.deliveryTag, requeue: true) }
                    requeued.increment()
                    return
                }
                failedAfterRecovery += 1
            } catch {
                try await settleFailure(message, error: error, logger: logger)
                return
            }
        }
        try await onThread { try $0.ack(message.deliveryTag) }
        acked.increment()
    }

    /// How often a message may meet an outage right after the dependency answered again
    /// before that counts as one of its failed attempts.
    static let outageRoundsPerAttempt = 3

    /// An error as readiness and the log show it: short.
    private static func reason(_ error: any Error) -> String {
        String(String(describing: error).prefix(200))
    }

    /// Holds the message in hand until the dependency an outage took away answers again;
    /// false if the service is shutting down first. Heartbeats keep the broker connection
    /// (and with it the unacknowledged message) alive meanwhile; one that fails means the
    /// broker took the message back, and the worker reconnects (the error is thrown) rather
    /// than handle a message it no longer holds.
    private func waitOut(_ error: any Error, logger: Logger) async throws -> Bool {
        guard let outage else { return false }
        let reason = Self.reason(error)
        logger.warning("a dependency is down; holding the message until it is back", metadata: [LogKey.error: "\(reason)"])
        health?.set(.waitingForDependency(reason: reason), worker: index)
        waitedOut.increment()
        var look = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            look += 1
            let pause = outage.backoff.delay(attempt: look)
            guard (try? await cancelWhenGracefulShutdown({ try await Task.sleep(for: pause) })) != nil else { break }
            try await onThread { try $0.sendHeartbeat() }
            if await outage.isBack() {
                logger.info("the dependency is back; handling the message again")
                health?.set(.consuming, worker: index)
                return true
            }
        }
        return false
    }

    /// A batch succeeds or fails as one; failed, its messages are handled one by one.
    private func handle(batch messages: [IncomingMessage], with batchHandler: AMQPConsumer.BatchHandler) async throws {
        do {
            try await batchHandler(messages)
        } catch {
            // One by one: an outage is waited out on the first message, the rest follow.
            logger.debug(
                "batch failed; handling its messages one by one",
                metadata: [LogKey.error: "\(error)", LogKey.messages: "\(messages.count)"]
            )
            for message in messages { try await handle(message) }
            return
        }
        // Deliveries on a channel are acknowledged in order, so the last tag covers the batch.
        let last = messages.map(\.deliveryTag).max()!
        try await onThread { try $0.ack(last, multiple: true) }
        acked.increment(by: messages.count)
    }

    /// Sends a failed message on to the retry queue or the dead-letter queue, then acks it;
    /// if that cannot be done, returns it to the queue so nothing is lost.
    private func settleFailure(_ message: IncomingMessage, error: any Error, logger: Logger) async throws {
        let permanent = error is PermanentMessageError
        let attempt = message.attempt
        let final = permanent || attempt >= topology.maxAttempts
        let description = String(describing: error).prefix(500)
        var headers: [String: AMQPHeaderValue] = [
            Headers.attempt: .int(Int64(attempt + (final ? 0 : 1))),
            Headers.lastError: .string(String(description)),
        ]
        if message.headers[Headers.originalRoutingKey] == nil {
            headers[Headers.originalRoutingKey] = .string(message.routingKey)
        }
        do {
            if final {
                logger.error("message dead-lettered", metadata: [LogKey.attempt: "\(attempt)", LogKey.error: "\(description)"])
                let copy = message.republished(headers: headers, routingKey: message.eventType)
                try await publishConfirmed(copy, exchange: topology.deadLetterExchange)
                deadLettered.increment()
            } else {
                logger.warning("message handler failed; will retry", metadata: [LogKey.attempt: "\(attempt)", LogKey.error: "\(description)"])
                let copy = message.republished(headers: headers, routingKey: topology.retry(afterAttempt: attempt).queue)
                try await publishConfirmed(copy, exchange: "")
                retried.increment()
            }
        } catch {
            logger.warning("cannot park failed message; returning it to the queue", metadata: [LogKey.error: "\(error)"])
            try await onThread { try $0.reject(message.deliveryTag, requeue: true) }
            requeued.increment()
            return
        }
        try await onThread { try $0.ack(message.deliveryTag) }
    }

    private func publishConfirmed(_ message: OutgoingMessage, exchange: String) async throws {
        let refused = try await republisher.publish([message], exchange: exchange)
        if !refused.isEmpty { throw AMQPError(kind: .rejected, message: "broker refused the message") }
    }

    private func onThread<T: Sendable>(_ body: @escaping @Sendable (AMQPConnection) throws -> T) async throws -> T {
        try await runOnThread { [self] in
            guard let connection else { throw AMQPError(kind: .connection, message: "not connected") }
            return try body(connection)
        }
    }

    private func runOnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await thread.runIfActive(body)
    }
}
