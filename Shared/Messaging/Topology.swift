/// The broker objects every service agrees on.
public enum Topology {
    /// Every integration event is published here, its routing key the event's name.
    public static let eventsExchange = "marketplace.events"
    /// Events no queue is bound to land here instead of vanishing.
    public static let unroutedExchange = "marketplace.unrouted"
    public static let unroutedQueue = "marketplace.unrouted"

    static func declareEvents(on connection: AMQPConnection) throws {
        try connection.declareExchange(unroutedExchange, type: "fanout")
        try connection.declareQueue(unroutedQueue)
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
/// - `<queue>.retry`, where a failed message waits `retryDelay` before it goes back to `<queue>`;
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

    public var retryQueue: String { queue + ".retry" }
    public var deadLetterExchange: String { queue + ".dlx" }
    public var deadLetterQueue: String { queue + ".dlq" }

    func declare(on connection: AMQPConnection) throws {
        try Topology.declareEvents(on: connection)
        try connection.declareExchange(deadLetterExchange, type: "fanout")
        try connection.declareQueue(deadLetterQueue)
        try connection.bindQueue(deadLetterQueue, exchange: deadLetterExchange, routingKey: "")
        let (seconds, attoseconds) = retryDelay.components
        try connection.declareQueue(
            retryQueue,
            arguments: [
                "x-message-ttl": .int(seconds * 1000 + attoseconds / 1_000_000_000_000_000),
                "x-dead-letter-exchange": .string(""),
                "x-dead-letter-routing-key": .string(queue),
            ]
        )
        try connection.declareQueue(queue, arguments: ["x-dead-letter-exchange": .string(deadLetterExchange)])
        for key in bindings {
            try connection.bindQueue(queue, exchange: Topology.eventsExchange, routingKey: key)
        }
    }
}
