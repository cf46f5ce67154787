import Postgres
import TestSupport
import Testing

/// Each service's role reaches its own schema and nothing else (README, the service table).
@Suite struct SchemaIsolationTests {
    @Test(arguments: TestStack.Role.allCases)
    func roleCannotReadAnotherServicesSchema(role: TestStack.Role) async throws {
        let pool = TestStack.test.pool(role, size: 1, name: uniqueName("iso"))
        // Its own schema works (the migration table exists once any service has started).
        let own = try await pool.query("SELECT current_schema() AS s").scalar("s", as: String.self)
        #expect(own == role.schema)
        _ = try await pool.query(PostgresQuery(unsafeSQL: "CREATE TABLE IF NOT EXISTS isolation_probe (x int)"))

        for other in TestStack.Role.allCases where other != role {
            let error = await #expect(throws: PostgresError.self) {
                _ = try await pool.query(PostgresQuery(unsafeSQL: "SELECT * FROM \(other.schema).isolation_probe"))
            }
            #expect(error?.sqlState == .insufficientPrivilege, "\(role) reading \(other.schema): \(String(describing: error))")
        }
        let publicError = await #expect(throws: PostgresError.self) {
            _ = try await pool.query(PostgresQuery(unsafeSQL: "CREATE TABLE public.intruder (x int)"))
        }
        #expect(publicError?.sqlState == .insufficientPrivilege)
        await pool.close()
    }
}
