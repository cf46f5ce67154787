import Common
import Logging

/// Applies migrations in one transaction under an advisory lock, so replicas starting at the
/// same moment apply each migration once: the first takes the lock and migrates, the others
/// wait for it, then find nothing left to do.
public struct MigrationRunner: Sendable {
    let pool: PostgresPool
    let logger: Logger

    public init(pool: PostgresPool, logger: Logger) {
        self.pool = pool
        self.logger = logger
    }

    /// Applies, in order, those of `migrations` not yet recorded under `source` (for example
    /// "shared" or the service's name). Refuses to run if an applied file has since changed.
    @discardableResult
    public func apply(_ migrations: [Migration], source: String) async throws -> [Migration] {
        try await pool.withTransaction { tx in
            _ = try await tx.query("SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':migrations'))")
            _ = try await tx.query(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    source text NOT NULL,
                    version integer NOT NULL,
                    name text NOT NULL,
                    checksum text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (source, version))
                """
            )
            let applied = try await tx.query(
                "SELECT version, checksum FROM schema_migrations WHERE source = \(source)"
            )
            var checksums = [Int: String]()
            for row in applied { checksums[try row.decode("version")] = try row.decode("checksum") }

            var done: [Migration] = []
            for migration in migrations {
                if let recorded = checksums[migration.version] {
                    guard recorded == migration.checksum else {
                        throw PostgresError(
                            kind: .usage,
                            message: "migration \(source)/\(migration.version)_\(migration.name) changed after it was applied"
                        )
                    }
                    continue
                }
                try await tx.executeScript(unsafeSQL: migration.sql)
                _ = try await tx.query(
                    """
                    INSERT INTO schema_migrations (source, version, name, checksum)
                    VALUES (\(source), \(migration.version), \(migration.name), \(migration.checksum))
                    """
                )
                logger.info("applied migration", metadata: [LogKey.migration: "\(source)/\(migration.version)_\(migration.name)"])
                done.append(migration)
            }
            return done
        }
    }
}
