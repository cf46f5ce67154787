import Common
import Logging
import ServiceLifecycle

/// Consumes one service's queue with manual acks and a bounded prefetch.
///
/// `concurrency` workers each hold their own connection and take one message at a time. A
/// message is acknowledged only after its handler returned. A handler that throws has the
/// message retried through the retry queue, up to `maxAttempts` in all, then parked in the
/// dead-letter queue; the worker goes on with the next message either way. A handler that
/// throws because a dependency is down (`outage`) uses up no attempt: the worker holds the
/// message until the dependency is back, then runs the handler again. Workers reconnect
/// by themselves after the broker restarts. On graceful shutdown each worker finishes the
/// message in hand, acknowledges it and closes; prefetched messages go back to the queue.
///
/// With `batching`, a worker that finds several messages already delivered to it (up to
/// `maxBatch`, all of its `eventType` if it names one) hands them over together, so that
/// their effects can share one transaction;
/// they are acknowledged together once it returns. If it throws, each message of the batch is
/// handled on its own by `handler`, with the usual retries, so one bad message costs only
/// itself.
public struct AMQPConsumer: Service {
    public typealias Handler = @Sendable (IncomingMessage) async throws -> Void
    public typealias BatchHandler = @Sendable ([IncomingMessage]) async throws -> Void

    /// How messages may be handled in batches.
    public struct Batching: Sendable {
        public var maxBatch: Int
        /// Only messages of this event type are handed over together; several messages with
        /// any other among them are handled one by one. nil: any mix.
        public var eventType: String?
        public var handler: BatchHandler

        public init(maxBatch: Int, eventType: String? = nil, handler: @escaping BatchHandler) {
            self.maxBatch = maxBatch
            self.eventType = eventType
            self.handler = handler
        }

        /// Whether these waiting messages go to `handler` together.
        func takes(_ messages: [IncomingMessage]) -> Bool {
            messages.count > 1 && (eventType.map { type in messages.allSatisfy { $0.eventType == type } } ?? true)
        }
    }

    let settings: AMQPSettings
    let topology: QueueTopology
    let concurrency: Int
    let logger: Logger
    let handler: Handler
    let batching: Batching?
    let outage: DependencyOutage?
    let health: ConsumerHealth?

    public init(
        settings: AMQPSettings,
        topology: QueueTopology,
        concurrency: Int = 1,
        logger: Logger,
        batching: Batching? = nil,
        outage: DependencyOutage? = nil,
        health: ConsumerHealth? = nil,
        handler: @escaping Handler
    ) {
        self.settings = settings
        self.topology = topology
        self.concurrency = max(1, concurrency)
        self.logger = logger
        self.batching = batching
        self.outage = outage
        self.health = health
        self.handler = handler
    }

    public func run() async throws {
        await withDiscardingTaskGroup { group in
            for index in 0..<concurrency {
                var logger = self.logger
                logger[metadataKey: LogKey.amqpWorker] = "\(index)"
                let worker = ConsumerWorker(
                    settings: settings,
                    topology: topology,
                    logger: logger,
                    index: index,
                    batching: batching,
                    outage: outage,
                    health: health,
                    handler: handler
                )
                group.addTask { await worker.run() }
            }
        }
    }
}
