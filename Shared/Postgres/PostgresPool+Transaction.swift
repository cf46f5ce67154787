import Common
import Logging

public enum IsolationLevel: String, Sendable {
    case readCommitted = "READ COMMITTED"
    case repeatableRead = "REPEATABLE READ"
    case serializable = "SERIALIZABLE"
}

extension PostgresPool {
    /// Runs `body` in a transaction that commits when it returns and rolls back when it throws.
    ///
    /// With `retries`, a transaction that fails with a serialization failure or a deadlock is
    /// run again from the start, that many more times at most, after a short random pause.
    public func withTransaction<Result: Sendable>(
        isolation level: IsolationLevel = .readCommitted,
        retries: Int = 0,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresLease) async throws -> Result
    ) async throws -> Result {
        var attempt = 0
        while true {
            do {
                return try await withConnection { lease in
                    try await lease.inTransaction(level, body)
                }
            } catch let error as PostgresError where error.isRetryableTransactionFailure && attempt < retries {
                attempt += 1
                logger.debug("retrying transaction", metadata: [LogKey.attempt: "\(attempt)", LogKey.sqlState: "\(error.sqlState?.rawValue ?? "")"])
                try await Task.sleep(for: RetryPolicy.transactionConflict.delay(attempt: attempt))
            }
        }
    }
}

extension PostgresLease {
    func inTransaction<Result: Sendable>(
        _ level: IsolationLevel,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresLease) async throws -> Result
    ) async throws -> Result {
        _ = try await query(PostgresQuery(unsafeSQL: "BEGIN ISOLATION LEVEL \(level.rawValue)"))
        let result: Result
        do {
            result = try await body(self)
        } catch {
            // A lost connection has rolled back already; the pool discards it.
            if (error as? PostgresError)?.isConnectionFailure != true {
                _ = try? await query("ROLLBACK")
            }
            throw error
        }
        _ = try await query("COMMIT")
        return result
    }
}
