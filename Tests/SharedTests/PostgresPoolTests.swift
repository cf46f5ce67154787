import Foundation
import Postgres
import TestSupport
import Testing

/// The Postgres layer against the real server `./scripts/test` starts.
@Suite struct PostgresPoolTests {
    let pool = TestStack.test.pool(size: 4, name: uniqueName("pool"))

    @Test func decodesTypedRows() async throws {
        let rows = try await pool.query(
            """
            SELECT 9007199254740993::int8 AS big, 'héllo'::text AS text, 12.50::numeric AS money,
                   NULL::text AS missing, true AS flag, '2024-01-02 03:04:05.5+00'::timestamptz AS at
            """
        )
        let row = try #require(rows.first)
        #expect(try row.decode("big", as: Int64.self) == 9_007_199_254_740_993)
        #expect(try row.decode("text", as: String.self) == "héllo")
        #expect(try row.decode("money", as: Decimal.self) == Decimal(string: "12.5"))
        #expect(try row.decode("missing", as: String?.self) == nil)
        #expect(throws: PostgresError.self) { try row.decode("missing", as: String.self) }
        #expect(throws: PostgresError.self) { try row.decode("nope", as: String.self) }
        #expect(try row.decode("flag", as: Bool.self))
        #expect(try row.decode("at", as: Date.self).timeIntervalSince1970 == 1_704_164_645.5)
        await pool.close()
    }

    @Test func valuesAreBoundNeverSpliced() async throws {
        let hostile = "x'; DROP TABLE outbox; --"
        let echoed = try await pool.query("SELECT \(hostile)::text AS v").scalar("v", as: String.self)
        #expect(echoed == hostile)
        await pool.close()
    }

    @Test func serverErrorsCarrySQLStateAndConstraint() async throws {
        let table = uniqueName("uniq")
        _ = try await pool.query(PostgresQuery(unsafeSQL: "CREATE TABLE \(table) (k int CONSTRAINT \(table)_pk PRIMARY KEY)"))
        _ = try await pool.query(PostgresQuery(unsafeSQL: "INSERT INTO \(table) VALUES ($1)", binds: ["424242"]))
        let error = await #expect(throws: PostgresError.self) {
            _ = try await pool.query(PostgresQuery(unsafeSQL: "INSERT INTO \(table) VALUES ($1)", binds: ["424242"]))
        }
        #expect(error?.isUniqueViolation == true)
        #expect(error?.constraint == "\(table)_pk")
        #expect(error?.description.contains("424242") == false, "the description must not quote the key's value")

        let syntax = await #expect(throws: PostgresError.self) { _ = try await pool.query("SELEC 1") }
        #expect(syntax?.sqlState == .syntaxError)
        // The connection that saw the errors is still usable.
        #expect(try await pool.query("SELECT 1 AS one").scalar("one", as: Int.self) == 1)
        _ = try await pool.query(PostgresQuery(unsafeSQL: "DROP TABLE \(table)"))
        await pool.close()
    }

    @Test func transactionsCommitOrRollBack() async throws {
        let table = uniqueName("tx")
        _ = try await pool.query(PostgresQuery(unsafeSQL: "CREATE TABLE \(table) (v text)"))
        try await pool.withTransaction { tx in
            _ = try await tx.query(PostgresQuery(unsafeSQL: "INSERT INTO \(table) VALUES ('kept')"))
        }
        struct Boom: Error {}
        await #expect(throws: Boom.self) {
            try await pool.withTransaction { tx in
                _ = try await tx.query(PostgresQuery(unsafeSQL: "INSERT INTO \(table) VALUES ('discarded')"))
                throw Boom()
            }
        }
        let values = try await pool.query(PostgresQuery(unsafeSQL: "SELECT v FROM \(table)")).map { try $0.decode("v", as: String.self) }
        #expect(values == ["kept"])
        _ = try await pool.query(PostgresQuery(unsafeSQL: "DROP TABLE \(table)"))
        await pool.close()
    }

    @Test func serializationFailuresAreRetried() async throws {
        let table = uniqueName("ser")
        _ = try await pool.query(PostgresQuery(unsafeSQL: "CREATE TABLE \(table) (id int PRIMARY KEY, n int)"))
        _ = try await pool.query(PostgresQuery(unsafeSQL: "INSERT INTO \(table) VALUES (1, 0)"))
        // 20 concurrent read-modify-write increments under SERIALIZABLE: some conflict and are
        // retried; none may be lost.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    try await pool.withTransaction(isolation: .serializable, retries: 50) { tx in
                        let n =
                            try await tx.query(PostgresQuery(unsafeSQL: "SELECT n FROM \(table) WHERE id = 1"))
                            .scalar("n", as: Int.self) ?? 0
                        _ = try await tx.query(PostgresQuery(unsafeSQL: "UPDATE \(table) SET n = $1 WHERE id = 1", binds: ["\(n + 1)"]))
                    }
                }
            }
            try await group.waitForAll()
        }
        let n = try await pool.query(PostgresQuery(unsafeSQL: "SELECT n FROM \(table) WHERE id = 1")).scalar("n", as: Int.self)
        #expect(n == 20)
        _ = try await pool.query(PostgresQuery(unsafeSQL: "DROP TABLE \(table)"))
        await pool.close()
    }

    @Test func manyConcurrentCallersShareFewConnections() async throws {
        let name = uniqueName("busy")
        // The last of 200 callers waits for the 199 before it, not for one query, and a loaded
        // machine running the whole suite took over 120 s for 500 of them: this test is about
        // sharing connections, so no caller gives up (10 min only guards against a hang).
        let pool = TestStack.test.pool(size: 4, name: name, acquireTimeout: .seconds(600))
        let observer = TestStack.test.pool(size: 1, name: uniqueName("observer"))
        let sum = try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 0..<200 {
                group.addTask {
                    try await pool.query("SELECT \(i)::int AS i, pg_sleep(0.001)").scalar("i", as: Int.self) ?? -1
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(sum == (0..<200).reduce(0, +))
        let open = try await observer.query(
            "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = \(name)"
        ).scalar("n", as: Int.self)
        #expect(open.map { $0 >= 1 && $0 <= 4 } == true, "pool opened \(open ?? -1) connections, at most 4 allowed")
        await pool.close()
        await observer.close()
        await self.pool.close()
    }

    /// A task cancelled inside a transaction skips its ROLLBACK: the connection must not sit in
    /// the pool with that transaction open, holding its locks until someone next asks for it.
    @Test func aConnectionCancelledInATransactionIsClosedAtOnce() async throws {
        let name = uniqueName("cancel")
        let pool = TestStack.test.pool(size: 1, name: name)
        let observer = TestStack.test.pool(size: 1, name: uniqueName("observer"))
        let inside = Tally()
        let task = Task {
            try await pool.withTransaction { tx in
                _ = try await tx.query("SELECT 1")
                inside.add()
                try await Task.sleep(for: patience)  // until cancelled
            }
        }
        #expect(await eventually { inside.total == 1 })
        task.cancel()
        _ = try? await task.value
        // Asked before the pool is used again, which would find and close such a connection.
        #expect(
            await eventually {
                (try? await observer.query(
                    """
                    SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = \(name)
                    """
                ).scalar("n", as: Int.self)) == 0
            },
            "the cancelled transaction's connection is closed, not kept"
        )
        #expect(try await pool.query("SELECT 1 AS one").scalar("one", as: Int.self) == 1, "the pool serves the next caller")
        await pool.close()
        await observer.close()
        await self.pool.close()
    }

    @Test func connectionErrorsNeverShowThePassword() async throws {
        let url = TestStack.test.databaseURL(.order).replacingOccurrences(of: "dev-order-service", with: "s3cr3t-wrong")
        let pool = PostgresPool(settings: PostgresSettings(url: url, applicationName: "badpw"), logger: testLogger)
        let error = await #expect(throws: PostgresError.self) { _ = try await pool.query("SELECT 1") }
        #expect(error?.kind == .connection)
        #expect(error?.description.contains("s3cr3t-wrong") == false)
        #expect(error?.description.contains("password authentication failed") == true)
        await pool.close()
        await self.pool.close()
    }

    @Test func closedPoolRefusesWork() async throws {
        await pool.close()
        let error = await #expect(throws: PostgresError.self) { _ = try await pool.query("SELECT 1") }
        #expect(error?.kind == .usage)
    }
}

@Suite struct PostgresPoolLimitTests {
    @Test func aCallerWaitingTooLongForAConnectionGetsAnError() async throws {
        let name = uniqueName("limit")
        let acquireTimeout = Duration.milliseconds(200)
        let settings = PostgresSettings(
            url: TestStack.test.databaseURL(.order),
            applicationName: name,
            maxConnections: 1,
            acquireTimeout: acquireTimeout
        )
        let pool = PostgresPool(settings: settings, logger: testLogger)
        let gate = TestStack.test.pool(size: 1, name: uniqueName("gate"))
        let lock = Int64.random(in: 1...Int64.max)
        // The holder takes the pool's one connection and waits on an advisory lock the test
        // holds, so the connection stays taken until the test lets go, however slow the machine.
        try await gate.withConnection { session in
            _ = try await session.query("SELECT pg_advisory_lock(\(lock)::int8)")
            let holder = Task { try await pool.query("SELECT pg_advisory_xact_lock(\(lock)::int8)") }
            #expect(
                await eventually {
                    (try? await session.query(
                        """
                        SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = \(name) AND wait_event = 'advisory'
                        """
                    ).scalar("n", as: Int.self)) == 1
                },
                "the holder is waiting for the lock"
            )
            let asked = ContinuousClock.now
            let error = await #expect(throws: PostgresError.self) { _ = try await pool.query("SELECT 1") }
            #expect(error?.message.contains("no database connection free") == true)
            #expect(error?.kind == .busy && error?.isTemporary == true, "worth trying again later")
            #expect(ContinuousClock.now - asked >= acquireTimeout, "the caller waited the acquire timeout first")
            _ = try await session.query("SELECT pg_advisory_unlock(\(lock)::int8)")
            _ = try await holder.value
        }
        // Once the connection is back, callers are served again.
        #expect(try await pool.query("SELECT 1 AS one").scalar("one", as: Int.self) == 1)
        await pool.close()
        await gate.close()
    }
}

@Suite struct PostgresBinaryParameterTests {
    @Test func bytesRoundTripInBinaryFormat() async throws {
        let pool = TestStack.test.pool(size: 1, name: uniqueName("binary"))
        let bytes = Data((0..<20_000).map { UInt8(truncatingIfNeeded: $0 &* 31) } + [0, 0, 255])
        let row = try await pool.query("SELECT \(bytes) AS b, length(\(bytes)) AS n, \(Data()) AS empty, \(nil as Data?) AS missing")[0]
        #expect(try row.decode("b", as: Data.self) == bytes)
        #expect(try row.decode("n", as: Int.self) == bytes.count)
        #expect(try row.decode("empty", as: Data.self).isEmpty)
        #expect(try row.decode("missing", as: Data?.self) == nil)
        let query: PostgresQuery = "SELECT \(Data([1, 2])) AS b, \("text") AS t"
        #expect(query.parameters == [.binary([1, 2]), .text("text")])
        #expect(query.binds == ["\\x0102", "text"])
        await pool.close()
    }
}
