import Common
import Foundation
import Logging
import Messaging
import Metrics
import Postgres
import ServiceLifecycle

/// Publishes the outbox: claims pending rows with `FOR UPDATE SKIP LOCKED` (so replicas share
/// the work and never publish the same row at the same time), publishes them with confirms,
/// and marks them sent in the same transaction. Rows whose publish failed are retried with
/// backoff. A crash between publish and commit publishes a row again; consumers deduplicate
/// by message id.
public struct OutboxRelay: Service {
    public struct Settings: Sendable {
        public var batchSize = 200
        public var pollInterval = Duration.milliseconds(50)
        public var maxRetryDelay = Duration.seconds(5)
        /// Published rows are deleted after this long.
        public var retention = Duration.seconds(24 * 3600)
        public init() {}
    }

    let pool: PostgresPool
    let publisher: AMQPPublisher
    let settings: Settings
    let logger: Logger
    private let published = Counter(label: "outbox_published_total")
    private let failed = Counter(label: "outbox_publish_failures_total")

    public init(pool: PostgresPool, publisher: AMQPPublisher, settings: Settings = .init(), logger: Logger) {
        self.pool = pool
        self.publisher = publisher
        self.settings = settings
        self.logger = logger
    }

    public func run() async throws {
        var lastCleanup = ContinuousClock.now
        let poller = BatchPoller(
            batchSize: settings.batchSize,
            interval: settings.pollInterval,
            logger: logger,
            failure: "outbox relay pass failed"
        )
        await poller.run {
            let handled = try await relayBatch()
            if ContinuousClock.now - lastCleanup > .seconds(60) {
                lastCleanup = .now
                try await deleteExpired()
            }
            return handled
        }
    }

    /// Claims and publishes one batch; returns how many rows it claimed.
    @discardableResult
    public func relayBatch() async throws -> Int {
        try await pool.withTransaction { tx in
            let rows = try await tx.query(
                """
                SELECT id, message_id, routing_key, payload, traceparent, created_at
                FROM outbox
                WHERE published_at IS NULL AND next_attempt_at <= now()
                ORDER BY id
                LIMIT \(settings.batchSize)
                FOR UPDATE SKIP LOCKED
                """
            )
            guard !rows.isEmpty else { return 0 }
            var ids = [String: Int64]()
            var messages = [OutgoingMessage]()
            for row in rows {
                let messageId = try row.decode("message_id", as: UUID.self).uuidString.lowercased()
                ids[messageId] = try row.decode("id")
                var headers: [String: AMQPHeaderValue] = [:]
                if let trace = try row.decode("traceparent", as: String?.self) { headers[Headers.traceparent] = .string(trace) }
                messages.append(
                    OutgoingMessage(
                        messageId: messageId,
                        routingKey: try row.decode("routing_key"),
                        body: Data(try row.decode("payload", as: String.self).utf8),
                        headers: headers,
                        timestamp: try row.decode("created_at")
                    )
                )
            }
            do {
                let refused = try await publisher.publish(messages)
                let sent = ids.filter { !refused.contains($0.key) }.map(\.value)
                _ = try await tx.query("UPDATE outbox SET published_at = now(), attempts = attempts + 1 WHERE id = ANY(\(sent))")
                published.increment(by: sent.count)
                if !refused.isEmpty {
                    try await markFailed(refused.compactMap { ids[$0] }, error: "refused by the broker", in: tx)
                }
            } catch {
                logger.warning("outbox publish failed; will retry", metadata: [LogKey.rows: "\(rows.count)", LogKey.error: "\(error)"])
                try await markFailed(Array(ids.values), error: String(describing: error), in: tx)
            }
            return rows.count
        }
    }

    private func markFailed(_ ids: [Int64], error: String, in tx: PostgresLease) async throws {
        failed.increment(by: ids.count)
        let retry = RetryPolicy(base: .milliseconds(100), cap: settings.maxRetryDelay)
        // The delay of each row's next attempt, by the attempts it has made so far.
        let delays = (1...17).map { retry.delay(attempt: $0).seconds }
        _ = try await tx.query(
            """
            UPDATE outbox
            SET attempts = attempts + 1, last_error = \(String(error.prefix(500))),
                next_attempt_at = now() + (\(delays)::float8[])[least(attempts, 16) + 1] * interval '1 second'
            WHERE id = ANY(\(ids))
            """
        )
    }

    /// Housekeeping: published events.
    private func deleteExpired() async throws {
        let outboxSeconds = Int(settings.retention.components.seconds)
        _ = try await pool.query(
            """
            DELETE FROM outbox WHERE published_at < now() - \(outboxSeconds) * interval '1 second'
            """
        )
    }
}
