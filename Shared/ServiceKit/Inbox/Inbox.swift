import Logging
import Messaging
import Postgres

/// Gives a consumer's effects exactly-once behaviour over at-least-once delivery: the message
/// id is recorded in the same transaction as the effect, so a redelivered message finds its id
/// and does nothing.
public struct Inbox: Sendable {
    let pool: PostgresPool
    /// Names the consumer, so two handlers in one service can each see the same message once.
    let consumer: String

    public init(pool: PostgresPool, consumer: String) {
        self.pool = pool
        self.consumer = consumer
    }

    /// Runs `effect` in a transaction unless `message` was handled before. Returns whether it
    /// ran. Serialization failures and deadlocks are retried.
    @discardableResult
    public func process(
        _ message: IncomingMessage,
        isolation: isolated (any Actor)? = #isolation,
        _ effect: (PostgresLease) async throws -> Void
    ) async throws -> Bool {
        try await pool.withTransaction(retries: 5) { tx in
            // A concurrent duplicate waits here on the first one's uncommitted row, then skips.
            let claimed = try await tx.query("""
                INSERT INTO inbox (consumer, message_id) VALUES (\(consumer), \(message.deduplicationId))
                ON CONFLICT DO NOTHING
                """)
            guard claimed.affectedRows == 1 else { return false }
            try await effect(tx)
            return true
        }
    }
}
