import Foundation
import Postgres

/// Writes events to the service's outbox table, inside the caller's transaction: the event
/// exists exactly when the change it announces was committed.
public enum Outbox {
    /// Adds `event` to the outbox; returns its message id.
    @discardableResult
    public static func enqueue<Event: IntegrationEvent>(
        _ event: Event,
        messageId: UUID = UUID(),
        traceparent: String? = nil,
        in transaction: PostgresLease
    ) async throws -> UUID {
        try await enqueue(
            routingKey: Event.routingKey,
            payload: event.encoded(),
            messageId: messageId,
            traceparent: traceparent,
            in: transaction
        )
    }

    @discardableResult
    public static func enqueue(
        routingKey: String,
        payload: Data,
        messageId: UUID = UUID(),
        traceparent: String? = nil,
        in transaction: PostgresLease
    ) async throws -> UUID {
        let body = String(decoding: payload, as: UTF8.self)
        let trace = traceparent.flatMap { TraceParent.isValid($0) ? $0 : nil } ?? TraceParent.generate()
        _ = try await transaction.query(
            """
            INSERT INTO outbox (message_id, routing_key, payload, traceparent)
            VALUES (\(messageId), \(routingKey), \(body), \(trace))
            """
        )
        return messageId
    }

    /// An event ready for the outbox, to be added later in the same transaction (with others,
    /// in one statement, by `enqueue(_:in:)`).
    public struct Message: Sendable {
        public var routingKey: String
        public var payload: String
        public var traceparent: String?

        public init<Event: IntegrationEvent>(_ event: Event, traceparent: String? = nil) throws {
            routingKey = Event.routingKey
            payload = String(decoding: try event.encoded(), as: UTF8.self)
            self.traceparent = traceparent
        }
    }

    /// Adds several events in one statement (a batch's worth), each with its trace.
    public static func enqueue<Event: IntegrationEvent>(
        all events: [(event: Event, traceparent: String?)],
        in transaction: PostgresLease
    ) async throws {
        try await enqueue(events.map { try Message($0.event, traceparent: $0.traceparent) }, in: transaction)
    }

    /// Adds messages, of any events, in one statement, in their order.
    public static func enqueue(_ messages: [Message], in transaction: PostgresLease) async throws {
        guard !messages.isEmpty else { return }
        let ids = messages.map { _ in UUID() }
        let traces = messages.map { message in
            message.traceparent.flatMap { TraceParent.isValid($0) ? $0 : nil } ?? TraceParent.generate()
        }
        _ = try await transaction.query(
            """
            INSERT INTO outbox (message_id, routing_key, payload, traceparent)
            SELECT id, routing_key, payload, trace
            FROM unnest(\(ids)::uuid[], \(messages.map(\.routingKey))::text[], \(messages.map(\.payload))::text[],
                        \(traces)::text[]) WITH ORDINALITY AS e(id, routing_key, payload, trace, position)
            ORDER BY position
            """
        )
    }
}
