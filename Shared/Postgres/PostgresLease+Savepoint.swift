extension PostgresLease {
    /// Runs `body` under a savepoint, so that one item of a batch can fail without undoing the
    /// others: a failure is rolled back to the savepoint and returned, for the caller to record
    /// in the same transaction; nil when `body` succeeded. A lost connection is thrown, since
    /// nothing can be recorded then (the whole transaction is gone).
    public func withSavepoint(_ name: String = "item", _ body: () async throws -> Void) async throws -> (any Error)? {
        precondition(!name.isEmpty && name.allSatisfy { $0.isASCII && ($0.isLetter || $0 == "_") }, "a savepoint name is a plain word")
        _ = try await query(PostgresQuery(unsafeSQL: "SAVEPOINT \(name)"))
        do {
            try await body()
            _ = try await query(PostgresQuery(unsafeSQL: "RELEASE SAVEPOINT \(name)"))
            return nil
        } catch let error as PostgresError where error.isConnectionFailure {
            throw error
        } catch {
            _ = try await query(PostgresQuery(unsafeSQL: "ROLLBACK TO SAVEPOINT \(name)"))
            return error
        }
    }
}
