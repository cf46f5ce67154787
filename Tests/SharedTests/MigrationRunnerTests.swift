import Postgres
import TestSupport
import Testing

@Suite struct MigrationRunnerTests {
    @Test func replicasStartingTogetherApplyEachMigrationOnce() async throws {
        let source = uniqueName("replicas")
        let table = uniqueName("migrated")
        let migrations = [
            Migration(version: 1, name: "create", sql: "CREATE TABLE \(table) (id int PRIMARY KEY, note text);"),
            Migration(version: 2, name: "seed", sql: "INSERT INTO \(table) VALUES (1, 'a'); INSERT INTO \(table) VALUES (2, 'b');"),
        ]
        let pools = (0..<4).map { _ in TestStack.test.pool(size: 1, name: uniqueName("replica")) }
        let applied = try await withThrowingTaskGroup(of: Int.self) { group in
            for pool in pools {
                group.addTask {
                    try await MigrationRunner(pool: pool, logger: testLogger).apply(migrations, source: source).count
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(applied == 2, "each migration is applied by exactly one replica")
        let rows = try await pools[0].query(PostgresQuery(unsafeSQL: "SELECT count(*)::int AS n FROM \(table)")).scalar("n", as: Int.self)
        #expect(rows == 2)

        // Running again applies nothing; an edited, already applied file is refused.
        #expect(try await MigrationRunner(pool: pools[0], logger: testLogger).apply(migrations, source: source).isEmpty)
        var edited = migrations
        edited[1] = Migration(version: 2, name: "seed", sql: "SELECT 1;")
        await #expect(throws: PostgresError.self) {
            try await MigrationRunner(pool: pools[0], logger: testLogger).apply(edited, source: source)
        }
        // A failing migration leaves nothing half-applied.
        let broken = migrations + [Migration(version: 3, name: "broken", sql: "ALTER TABLE \(table) ADD COLUMN x int; SELEC 1;")]
        await #expect(throws: PostgresError.self) {
            try await MigrationRunner(pool: pools[0], logger: testLogger).apply(broken, source: source)
        }
        let columns = try await pools[0].query(
            "SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = \(table) AND column_name = 'x'"
        ).scalar("n", as: Int.self)
        #expect(columns == 0)

        _ = try await pools[0].query(PostgresQuery(unsafeSQL: "DROP TABLE \(table)"))
        _ = try await pools[0].query("DELETE FROM schema_migrations WHERE source = \(source)")
        for pool in pools { await pool.close() }
    }
}
