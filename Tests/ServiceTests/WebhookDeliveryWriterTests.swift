import Foundation
import Postgres
import ServiceKit
import TestSupport
import Testing

@testable import OrderService

/// Group commit of received deliveries, against the test PostgreSQL.
struct WebhookDeliveryWriterTests {
    let sample = SampleOrder()
    /// The answer deadline for tests not about it: far beyond a busy CI machine's slowest
    /// commit, so that only the deadline tests can meet one.
    let patient: Duration = .seconds(60)

    func migratedPool() async throws -> PostgresPool {
        let pool = TestStack.test.pool(.order, size: 4, name: uniqueName("writer"))
        let runner = MigrationRunner(pool: pool, logger: testLogger)
        try await runner.apply(ServiceHost.sharedMigrations(), source: "shared")
        try await runner.apply(ServiceDefinition.ordersService.migrations, source: "service")
        return pool
    }

    func migrate() async throws {
        let migrated = try await migratedPool()
        await migrated.close()
    }

    /// Holds the pool's only connection until `release` counts one.
    func hold(_ pool: PostgresPool, until release: Tally) -> Task<Void, any Error> {
        Task {
            try await pool.withTransaction { _ in
                _ = await eventually { release.total > 0 }
            }
        }
    }

    func delivery(_ webhookId: String, body: Data) -> ReceivedWebhook {
        ReceivedWebhook(
            headers: ShopifyWebhookHeaders(
                topic: "products/update",
                shopDomain: "writer.myshopify.com",
                webhookId: webhookId,
                eventId: "evt-\(webhookId)",
                triggeredAt: "2026-11-23T10:00:00Z",
                apiVersion: "2024-10"
            ),
            payload: body
        )
    }

    @Test func concurrentDeliveriesCommitTogetherAndEachIsStoredOnce() async throws {
        let pool = try await migratedPool()
        let writer = WebhookDeliveryWriter(
            repository: WebhookDeliveryRepository(pool: pool),
            settings: .init(concurrentWrites: 2, answerWithin: patient),
            logger: testLogger
        )
        let prefix = uniqueName("group")
        let body = try sample.body()
        // 150 distinct webhook ids, 50 of them sent a second time at the same moment.
        let ids = (0..<150).map { "\(prefix)-\($0)" } + (0..<50).map { "\(prefix)-\($0 * 3)" }
        let results = try await withThrowingTaskGroup(of: (String, Bool).self) { group in
            for id in ids.shuffled() {
                group.addTask { (id, try await writer.store(delivery(id, body: body))) }
            }
            return try await group.reduce(into: [(String, Bool)]()) { $0.append($1) }
        }
        let storedIds = results.filter(\.1).map(\.0)
        #expect(storedIds.count == 150, "each webhook id answered 'stored' exactly once")
        #expect(Set(storedIds).count == 150)
        let rows = try await pool.query("SELECT webhook_id, payload FROM webhook_deliveries WHERE webhook_id LIKE \(prefix + "-%")")
        #expect(rows.count == 150)
        #expect(try rows.allSatisfy { try $0.decode("payload", as: Data.self) == body })
        let commits = await writer.commits
        #expect(commits < 100, "200 concurrent deliveries took \(commits) commits")
        // A later retry is answered from the ids this writer saw committed, without a write.
        #expect(try await writer.store(delivery(ids[0], body: body)) == false)
        #expect(await writer.commits == commits)
        let fresh = WebhookDeliveryWriter(
            repository: WebhookDeliveryRepository(pool: pool),
            settings: .init(answerWithin: patient),
            logger: testLogger
        )
        #expect(try await fresh.store(delivery(ids[0], body: body)) == false, "another replica finds it in the database")
        await pool.close()
    }

    @Test func aRowThePostgresServerRefusesFailsAloneNotItsBatch() async throws {
        try await migrate()
        let pool = TestStack.test.pool(.order, size: 1, name: uniqueName("poisoned"), acquireTimeout: .seconds(30))
        // The server refuses a webhook id too large for its unique index ("index row size
        // exceeds maximum"): a row-specific failure that needs no DDL, which would lock the
        // table other tests share. (The HTTP layer caps header values far below this.)
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        let poison = uniqueName("poison") + String((0..<6000).map { _ in alphabet.randomElement()! })
        let writer = WebhookDeliveryWriter(
            repository: WebhookDeliveryRepository(pool: pool),
            settings: .init(concurrentWrites: 1, answerWithin: patient),
            logger: testLogger
        )
        let prefix = uniqueName("good")
        let body = try sample.body()
        let ids = (0..<20).map { "\(prefix)-\($0)" }
        // The pool's connection is held while a first write waits for it, so that the poison
        // and the 19 after it queue up and are written as one batch.
        let release = Tally()
        let holder = hold(pool, until: release)
        try await Task.sleep(for: .milliseconds(100))
        let first = Task { try await writer.store(delivery(ids[0], body: body)) }
        #expect(await eventually { await (writer.writing, writer.queued) == (1, 0) })
        let rest = Task {
            await withTaskGroup(of: (String, Bool?).self) { group in
                for id in [poison] + ids.dropFirst() {
                    group.addTask { (id, try? await writer.store(delivery(id, body: body))) }
                }
                return await group.reduce(into: [String: Bool?]()) { $0[$1.0] = $1.1 }
            }
        }
        #expect(await eventually { await writer.queued == 20 })
        release.add()
        try await holder.value
        var outcomes = await rest.value
        outcomes[ids[0]] = try await first.value
        #expect(outcomes[poison] == .some(nil), "the refused delivery fails, so it is not acknowledged")
        #expect(await writer.splits == 1, "the good ones were stored by writing the batch row by row")
        #expect(outcomes.filter { $0.key != poison }.allSatisfy { $0.value == true }, "the others are stored")
        let stored = try await pool.query("SELECT count(*) AS n FROM webhook_deliveries WHERE webhook_id LIKE \(prefix + "-%")")
        #expect(try stored.scalar("n", as: Int.self) == 20)
        await pool.close()
    }

    /// No connection comes free in time (the pool is saturated): the whole batch fails at once,
    /// each caller answered with the pool's error (503), and the batch is not split into
    /// single-row writes that would each wait out the same timeout.
    @Test func aSaturatedPoolFailsTheBatchAtOnceWithoutSplittingIt() async throws {
        try await migrate()
        let pool = TestStack.test.pool(.order, size: 1, name: uniqueName("saturated"), acquireTimeout: .milliseconds(300))
        let writer = WebhookDeliveryWriter(
            repository: WebhookDeliveryRepository(pool: pool),
            settings: .init(concurrentWrites: 1, answerWithin: patient),
            logger: testLogger
        )
        let body = try sample.body()
        let prefix = uniqueName("busy")
        let release = Tally()
        // The pool's only connection, held until the stores have failed.
        let holder = hold(pool, until: release)
        try await Task.sleep(for: .milliseconds(100))
        let failures = await withTaskGroup(of: PostgresError?.self) { group in
            for index in 0..<6 {
                group.addTask {
                    do {
                        _ = try await writer.store(delivery("\(prefix)-\(index)", body: body))
                        return nil
                    } catch {
                        return error as? PostgresError
                    }
                }
            }
            return await group.reduce(into: [PostgresError?]()) { $0.append($1) }
        }
        release.add()
        try await holder.value
        #expect(failures.count == 6)
        #expect(failures.allSatisfy { $0?.kind == .busy }, "each answered with the pool's timeout: \(failures)")
        #expect(await writer.splits == 0, "no batch written row by row")
        await pool.close()
    }

    /// A database that does not answer in time (here a pool whose only connection is held) is
    /// answered at the writer's deadline, within Shopify's 5 s, not at the pool's 10 s; what
    /// still waited for its batch then is not written, and is stored when Shopify sends it again.
    @Test func aStoreNotDoneByItsDeadlineIsAnsweredThenAndNothingIsLost() async throws {
        try await migrate()
        let pool = TestStack.test.pool(.order, size: 1, name: uniqueName("stalled"), acquireTimeout: .seconds(10))
        let writer = WebhookDeliveryWriter(
            repository: WebhookDeliveryRepository(pool: pool),
            settings: .init(concurrentWrites: 1, answerWithin: .milliseconds(500)),
            logger: testLogger
        )
        let body = try sample.body()
        let prefix = uniqueName("late")
        let ids = (0..<6).map { "\(prefix)-\($0)" }
        let release = Tally()
        let holder = hold(pool, until: release)
        try await Task.sleep(for: .milliseconds(100))
        func store(_ id: String) async -> (any Error)? {
            do {
                _ = try await writer.store(delivery(id, body: body))
                return nil
            } catch {
                return error
            }
        }
        let started = ContinuousClock.now
        // The first delivery's write waits for the pool; the other five wait for that write.
        let first = Task { await store(ids[0]) }
        #expect(await eventually { await (writer.writing, writer.queued) == (1, 0) }, "the first write is under way")
        let rest = await withTaskGroup(of: (any Error)?.self) { group in
            for id in ids.dropFirst() { group.addTask { await store(id) } }
            return await group.reduce(into: [(any Error)?]()) { $0.append($1) }
        }
        let failures = rest + [await first.value]
        let waited = ContinuousClock.now - started
        release.add()
        try await holder.value
        #expect(failures.allSatisfy { $0 is AnswerDeadline.Exceeded }, "each told to retry later: \(failures)")
        #expect(waited < .seconds(5), "answered at the deadline, not after the pool's timeout: \(waited)")
        // The write in flight commits once it gets its connection; the five behind it are shed.
        let stored = {
            try await pool.query("SELECT webhook_id FROM webhook_deliveries WHERE webhook_id LIKE \(prefix + "-%")").map {
                try $0.decode("webhook_id", as: String.self)
            }
        }
        #expect(await eventually { await (writer.shed, writer.writing) == (5, 0) })
        #expect(try await stored() == [ids[0]], "only the write under way at the deadline")
        // Shopify sends each again: every delivery ends stored exactly once.
        let retry = WebhookDeliveryWriter(
            repository: WebhookDeliveryRepository(pool: pool),
            settings: .init(answerWithin: patient),
            logger: testLogger
        )
        var newlyStored: [String] = []
        for id in ids where try await retry.store(delivery(id, body: body)) { newlyStored.append(id) }
        #expect(newlyStored == Array(ids.dropFirst()), "the first is found stored, the shed ones are stored now")
        #expect(try await stored().sorted() == ids.sorted())
        await pool.close()
    }

    /// Past `maxWaitingBytes` waiting for a write, a delivery is refused at once (503).
    @Test func deliveriesBeyondWhatMayWaitAreRefusedAtOnce() async throws {
        try await migrate()
        let pool = TestStack.test.pool(.order, size: 1, name: uniqueName("full"), acquireTimeout: .seconds(10))
        let body = try sample.body()
        let writer = WebhookDeliveryWriter(
            repository: WebhookDeliveryRepository(pool: pool),
            settings: .init(concurrentWrites: 1, answerWithin: patient, maxWaitingBytes: body.count * 2),
            logger: testLogger
        )
        let prefix = uniqueName("full")
        let release = Tally()
        let holder = hold(pool, until: release)
        try await Task.sleep(for: .milliseconds(100))
        let first = Task { try await writer.store(delivery("\(prefix)-0", body: body)) }
        #expect(await eventually { await (writer.writing, writer.queued) == (1, 0) })
        let waiting = (1...2).map { index in Task { try await writer.store(delivery("\(prefix)-\(index)", body: body)) } }
        #expect(await eventually { await writer.queued == 2 })
        await #expect(throws: WebhookDeliveryWriter.Overloaded.self) { try await writer.store(delivery("\(prefix)-3", body: body)) }
        release.add()
        try await holder.value
        #expect(try await first.value)
        for task in waiting { #expect(try await task.value) }
        await pool.close()
    }
}
