import Foundation
import Postgres

/// Writes events to the service's outbox table, inside the caller's transaction: the event
/// exists exactly when the change it announces was committed.
public enum Outbox {
    /// Adds `event` to the outbox; returns its message id.
    @discardableResult
    public static func enqueue<Event: IntegrationEvent>(
        _ event: Event, messageId: UUID = UUID(), traceparent: String? = nil, in transaction: PostgresLease
    ) async throws -> UUID {
        try await enqueue(
            routingKey: Event.routingKey, payload: event.encoded(), messageId: messageId,
            traceparent: traceparent, in: transaction)
    }

    @discardableResult
    public static func enqueue(
        routingKey: String, payload: Data, messageId: UUID = UUID(), traceparent: String? = nil,
        in transaction: PostgresLease
    ) async throws -> UUID {
        let body = String(decoding: payload, as: UTF8.self)
        let trace = traceparent.flatMap { TraceParent.isValid($0) ? $0 : nil } ?? TraceParent.generate()
        _ = try await transaction.query("""
            INSERT INTO outbox (message_id, routing_key, payload, traceparent)
            VALUES (\(messageId), \(routingKey), \(body), \(trace))
            """)
        return messageId
    }

    /// Adds several events in one statement (a batch's worth), each with its trace.
    public static func enqueue<Event: IntegrationEvent>(
        all events: [(event: Event, traceparent: String?)], in transaction: PostgresLease
    ) async throws {
        guard !events.isEmpty else { return }
        var ids: [UUID] = [], payloads: [String] = [], traces: [String] = []
        for (event, traceparent) in events {
            ids.append(UUID())
            payloads.append(String(decoding: try event.encoded(), as: UTF8.self))
            traces.append(traceparent.flatMap { TraceParent.isValid($0) ? $0 : nil } ?? TraceParent.generate())
        }
        _ = try await transaction.query("""
            INSERT INTO outbox (message_id, routing_key, payload, traceparent)
            SELECT id, \(Event.routingKey), payload, trace
            FROM unnest(\(ids)::uuid[], \(payloads)::text[], \(traces)::text[]) WITH ORDINALITY AS e(id, payload, trace, position)
            ORDER BY position
            """)
    }
}
