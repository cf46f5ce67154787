import Messaging

/// A service's handlers for the events it consumes, one per routing key. Built against
/// `EventRoute`'s table: a handler for an event the table does not give the service, or an
/// event of the table without a handler, is refused when the service starts.
public struct EventDispatch: Sendable {
    public let service: ServiceName
    private let handlers: [String: AMQPConsumer.Handler]

    public struct Mismatch: Error, CustomStringConvertible {
        public let description: String
    }

    public init(_ service: ServiceName, _ handlers: [EventRoute: AMQPConsumer.Handler]) throws {
        let expected = Set(EventRoute.consumed(by: service))
        let given = Set(handlers.keys)
        guard expected == given else {
            let missing = expected.subtracting(given).map(\.rawValue).sorted()
            let extra = given.subtracting(expected).map(\.rawValue).sorted()
            throw Mismatch(
                description: "\(service.rawValue)'s handlers do not match the event table: missing \(missing), not consumed by it \(extra)"
            )
        }
        self.service = service
        self.handlers = Dictionary(uniqueKeysWithValues: handlers.map { ($0.key.routingKey, $0.value) })
    }

    /// The routing keys the service's queue is bound to.
    public var bindings: [String] { EventRoute.consumed(by: service).map(\.routingKey) }

    public func handle(_ message: IncomingMessage) async throws {
        guard let handler = handlers[message.eventType] else {
            throw PermanentMessageError("\(service.rawValue) does not handle \(message.eventType)")
        }
        try await handler(message)
    }
}
