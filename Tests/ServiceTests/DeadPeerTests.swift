import Common
import Foundation
import Postgres
import TestSupport
import Testing

/// A database that neither answers nor refuses (packets dropped), on the fault stack.
extension FaultTests {
    /// A query on a connection whose packets are dropped fails within the dead-peer timeout
    /// (here shortened to 2 s), instead of waiting out TCP's own, about 15 minutes; and the
    /// pool reaches the database again once the network is back.
    @Test func aQueryToADatabaseThatDropsPacketsFailsInTimeAndThePoolRecovers() async throws {
        var settings = PostgresSettings(
            url: stack.databaseURL(.order),
            applicationName: uniqueName("dead-peer"),
            searchPath: TestStack.Role.order.schema,
            connectTimeoutSeconds: 2,
            maxConnections: 1,
            acquireTimeout: .seconds(5)
        )
        settings.deadPeerTimeout.unacknowledgedMilliseconds = 2_000
        settings.deadPeerTimeout.keepaliveIdleSeconds = 1
        settings.deadPeerTimeout.keepaliveIntervalSeconds = 1
        settings.deadPeerTimeout.keepaliveCount = 2
        let pool = PostgresPool(settings: settings, logger: testLogger)
        #expect(try await pool.query("SELECT 1 AS one").scalar("one", as: Int.self) == 1, "connected first")
        let port = try #require(URLComponents(string: settings.url)?.port)
        let drop = try await PacketDrop.start(port: port)
        let outcome: (any Error)?
        do {
            _ = try await AnswerDeadline(.seconds(15)).run { try await pool.query("SELECT 1 AS one") }
            outcome = nil
        } catch {
            outcome = error
        }
        try await drop.stop()
        #expect(outcome is PostgresError, "the query fails on its own, not after 15 s: \(String(describing: outcome))")
        #expect(await eventually { (try? await pool.query("SELECT 1 AS one")) != nil }, "reached again")
        await pool.close()
    }
}
