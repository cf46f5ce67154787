import Foundation
import Messaging

/// An event one service announces to the others: a small immutable record named as a fact in
/// the past tense, published on `marketplace.events` under its route's routing key. Each
/// module that sends or receives an event declares its own reading of it under the same name
/// (a consumer lists only the fields it reads, so a field added by the publisher breaks none).
public protocol IntegrationEvent: Codable, Sendable {
    static var route: EventRoute { get }
}

extension IntegrationEvent {
    public static var routingKey: String { route.routingKey }

    public static func decode(from data: Data) throws -> Self {
        try JSONDecoder.events.decode(Self.self, from: data)
    }

    /// The event a consumed message carries; a body that is not one can never be handled, so
    /// it is a `PermanentMessageError` (dead-lettered at once, not retried).
    public static func decode(_ message: IncomingMessage) throws -> Self {
        do {
            return try decode(from: message.body)
        } catch {
            throw PermanentMessageError("malformed \(routingKey): \(error)")
        }
    }

    public func encoded() throws -> Data {
        try JSONEncoder.events.encode(self)
    }
}

extension JSONEncoder {
    /// Events' wire format: sorted keys, ISO 8601 dates.
    public static var events: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}

extension JSONDecoder {
    public static var events: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
