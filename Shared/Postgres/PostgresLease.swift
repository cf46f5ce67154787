/// A connection leased from the pool for the duration of a `withConnection` or
/// `withTransaction` body. Do not keep it beyond that body.
public struct PostgresLease: Sendable {
    let connection: PostgresConnection
    let pool: PostgresPool

    public func query(_ query: PostgresQuery) async throws -> PostgresResult {
        let connection = self.connection
        return try await pool.run { try connection.execute(query) }
    }

    /// Runs SQL that may hold several statements and binds nothing. Migrations only.
    public func executeScript(unsafeSQL sql: String) async throws {
        let connection = self.connection
        try await pool.run { try connection.executeScript(sql) }
    }
}
