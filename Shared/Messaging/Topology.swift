/// The broker objects every service agrees on.
public enum Topology {
    /// Every integration event is published here, its routing key the event's name.
    public static let eventsExchange = "marketplace.events"
    /// Events no queue is bound to land here instead of vanishing (the alternate exchange).
    public static let unroutedExchange = "marketplace.unrouted"
    /// Where they are kept, for a while and up to a number, so that nothing left there can
    /// grow until the broker's memory alarm blocks every publisher: the oldest go first. An
    /// event lands here only when its consumer's queue was never declared (every publisher
    /// declares its consumers' queues) or when an older release publishes what nobody reads.
    public static let unroutedQueue = "marketplace.unrouted.bounded"
    public static let unroutedLimit = 10_000
    public static let unroutedKeptFor = Duration.seconds(14 * 24 * 3600)
    /// The unbounded queue of earlier releases: a queue's arguments cannot change in place,
    /// so it is retired (`LegacyUnroutedQueue`) rather than redeclared.
    public static let legacyUnroutedQueue = "marketplace.unrouted"

    static func declareEvents(on connection: AMQPConnection) throws {
        try connection.declareExchange(unroutedExchange, type: "fanout")
        try connection.declareQueue(
            unroutedQueue,
            arguments: [
                "x-max-length": .int(Int64(unroutedLimit)),
                "x-overflow": .string("drop-head"),
                "x-message-ttl": .int(QueueTopology.milliseconds(unroutedKeptFor)),
            ]
        )
        try connection.bindQueue(unroutedQueue, exchange: unroutedExchange, routingKey: "")
        try connection.declareExchange(
            eventsExchange,
            type: "topic",
            arguments: ["alternate-exchange": .string(unroutedExchange)]
        )
    }
}

/// One consuming service's queues:
/// - `<queue>`, durable, bound to `marketplace.events` with the routing keys the service needs;
/// - `<queue>.retry` and `<queue>.retry.<ms>ms`, where a failed message waits before it goes
///   back to `<queue>`: longer after each failure (`retryTiers`: `retryDelay` × 1, 4, 15, 60,
///   so up to 2 s, 8 s, 30 s, 2 min), in one of four queues per tier that hold it for half,
///   two thirds, five sixths or all of that (jitter: copies that failed together spread out);
/// - `<queue>.dlx` (fanout exchange) and `<queue>.dlq`, where a message ends after
///   `maxAttempts` failures, or at once if its handler says it can never succeed.
public struct QueueTopology: Sendable {
    public var queue: String
    public var bindings: [String]
    public var retryDelay: Duration
    public var maxAttempts: Int
    public var prefetch: Int

    public init(
        queue: String,
        bindings: [String],
        retryDelay: Duration = .seconds(2),
        maxAttempts: Int = 5,
        prefetch: Int = 32
    ) {
        self.queue = queue
        self.bindings = bindings
        self.retryDelay = retryDelay
        self.maxAttempts = maxAttempts
        self.prefetch = prefetch
    }

    /// The first retry queue (its name older releases use too).
    public var retryQueue: String { queue + ".retry" }

    /// How long a message waits after each failure at most, tier by tier; the last tier repeats.
    public var retryTiers: [Duration] { [1, 4, 15, 60].map { retryDelay * $0 } }

    /// The parts of a tier's wait its queues hold a message for: a copy goes to one of them
    /// at random, so that copies that failed together come back spread over the tier's second
    /// half. Each queue has one TTL and is first in, first out, so no copy waits behind a
    /// longer one (RabbitMQ expires messages only at the head of a queue).
    static let spread: [(numerator: Int, denominator: Int)] = [(1, 2), (2, 3), (5, 6), (1, 1)]

    /// A tier's queues (0 for the first), with how long each holds a message.
    public func retryQueues(tier: Int) -> [(queue: String, wait: Duration)] {
        Self.spread.map { part in
            let wait = retryTiers[tier] * part.numerator / part.denominator
            let name = tier == 0 && part.numerator == part.denominator ? retryQueue : "\(retryQueue).\(Self.milliseconds(wait))ms"
            return (name, wait)
        }
    }

    /// The retry queue after the `attempt`-th failure (1 for the first); `random` in [0, 1)
    /// picks one of its tier's queues.
    public func retry(afterAttempt attempt: Int, random: Double = Double.random(in: 0..<1)) -> (queue: String, wait: Duration) {
        let queues = retryQueues(tier: min(max(attempt, 1), retryTiers.count) - 1)
        return queues[min(queues.count - 1, max(0, Int(random * Double(queues.count))))]
    }

    public var deadLetterExchange: String { queue + ".dlx" }
    public var deadLetterQueue: String { queue + ".dlq" }

    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    func declare(on connection: AMQPConnection) throws {
        try Topology.declareEvents(on: connection)
        try connection.declareExchange(deadLetterExchange, type: "fanout")
        try connection.declareQueue(deadLetterQueue)
        try connection.bindQueue(deadLetterQueue, exchange: deadLetterExchange, routingKey: "")
        for (name, wait) in retryTiers.indices.flatMap(retryQueues(tier:)) {
            try connection.declareQueue(
                name,
                arguments: [
                    "x-message-ttl": .int(Self.milliseconds(wait)),
                    "x-dead-letter-exchange": .string(""),
                    "x-dead-letter-routing-key": .string(queue),
                ]
            )
        }
        try connection.declareQueue(queue, arguments: ["x-dead-letter-exchange": .string(deadLetterExchange)])
        for key in bindings {
            try connection.bindQueue(queue, exchange: Topology.eventsExchange, routingKey: key)
        }
    }
}
