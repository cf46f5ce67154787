import Foundation

/// A header value: the few AMQP field kinds this project writes and reads.
public enum AMQPHeaderValue: Sendable, Hashable {
    case string(String)
    case int(Int64)
    case bool(Bool)

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var intValue: Int64? {
        switch self {
        case .int(let value): value
        case .string(let value): Int64(value)
        case .bool: nil
        }
    }
}

/// A message to publish. It is always persistent and carries its id and type.
public struct OutgoingMessage: Sendable {
    public var messageId: String
    public var routingKey: String
    /// AMQP `type`; by convention the event's routing key.
    public var type: String
    public var body: Data
    public var headers: [String: AMQPHeaderValue]
    public var contentType: String
    public var timestamp: Date

    public init(
        messageId: String,
        routingKey: String,
        type: String? = nil,
        body: Data,
        headers: [String: AMQPHeaderValue] = [:],
        contentType: String = "application/json",
        timestamp: Date = Date()
    ) {
        self.messageId = messageId
        self.routingKey = routingKey
        self.type = type ?? routingKey
        self.body = body
        self.headers = headers
        self.contentType = contentType
        self.timestamp = timestamp
    }
}

/// A message delivered to a consumer.
public struct IncomingMessage: Sendable {
    public var messageId: String?
    public var routingKey: String
    public var type: String?
    public var exchange: String
    public var body: Data
    public var headers: [String: AMQPHeaderValue]
    public var contentType: String?
    public var timestamp: Date?
    public var redelivered: Bool
    let deliveryTag: UInt64

    /// The event's name: `type`, which survives retries (where the routing key does not).
    public var eventType: String { type ?? routingKey }

    /// 1 for a first delivery; counts the retries this project makes through the retry queue.
    public var attempt: Int { Int(headers[Headers.attempt]?.intValue ?? 1) }

    /// 0 unless an operator replayed it from the dead-letter queue.
    public var replays: Int { Int(headers[Headers.replays]?.intValue ?? 0) }

    /// An identity for deduplication: the message id, else a digest of type and body.
    public var deduplicationId: String {
        if let messageId, !messageId.isEmpty { return messageId }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in eventType.utf8 + [0] + Array(body) {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return "body-" + String(hash, radix: 16)
    }

    /// The message again, for a retry or the dead-letter queue.
    func republished(headers extra: [String: AMQPHeaderValue], routingKey: String) -> OutgoingMessage {
        OutgoingMessage(
            messageId: deduplicationId,
            routingKey: routingKey,
            type: eventType,
            body: body,
            headers: headers.merging(extra) { $1 },
            contentType: contentType ?? "application/json",
            timestamp: timestamp ?? Date()
        )
    }
}

/// Header names this project sets.
public enum Headers {
    public static let traceparent = "traceparent"
    public static let attempt = "x-attempt"
    public static let lastError = "x-last-error"
    public static let originalRoutingKey = "x-original-routing-key"
    /// How many times an operator replayed the message from its dead-letter queue.
    public static let replays = "x-replays"
}
