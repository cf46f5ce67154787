import Common
import Foundation
import Postgres
import ServiceKit
import Synchronization
import TestSupport
import Testing

@testable import NotificationService

/// The backoff schedule and the circuit breaker, without I/O.
@Suite struct RetryPolicyTests {
    @Test func backoffDoublesUpToItsCapWithJitterInTheUpperHalf() {
        let backoff = RetryPolicy(base: .seconds(1), cap: .seconds(60))
        #expect((1...8).map { backoff.bound(attempt: $0) } == [1, 2, 4, 8, 16, 32, 60, 60].map { Duration.seconds($0) })
        #expect(backoff.bound(attempt: 500) == .seconds(60), "no overflow far out")
        #expect(backoff.delay(attempt: 3, random: 0) == .seconds(2))
        #expect(backoff.delay(attempt: 3, random: 1) == .seconds(4))
        for _ in 0..<100 {
            let delay = backoff.delay(attempt: 4)
            #expect(delay >= .seconds(4) && delay <= .seconds(8))
        }
        #expect(Set((0..<50).map { _ in backoff.delay(attempt: 6) }).count > 1, "jittered")
    }

    @Test func theCircuitOpensAfterRepeatedFailuresThenProbesOnce() {
        let breaker = CircuitBreaker(threshold: 3, openFor: .seconds(10))
        let start = ContinuousClock.now
        for _ in 0..<2 { breaker.recordFailure(now: start) }
        #expect(breaker.allow(now: start), "two failures: still closed")
        breaker.recordFailure(now: start)
        #expect(!breaker.allow(now: start), "third failure: open")
        #expect(!breaker.allow(now: start + .seconds(9)))
        #expect(breaker.allow(now: start + .seconds(10)), "after openFor: one probe")
        #expect(!breaker.allow(now: start + .seconds(10)), "only one probe at a time")
        breaker.recordFailure(now: start + .seconds(10))
        #expect(!breaker.allow(now: start + .seconds(15)), "the probe failed: open again")
        #expect(breaker.allow(now: start + .seconds(20)))
        breaker.recordSuccess()
        #expect(breaker.current == .closed(failures: 0), "the probe succeeded: closed")
        #expect(breaker.allow(now: start + .seconds(20)))
        breaker.recordFailure(now: start)
        breaker.recordSuccess()
        breaker.recordFailure(now: start)
        breaker.recordFailure(now: start)
        #expect(breaker.allow(now: start), "failures must be in a row")
    }

    @Test func aProbeThatEndsWithoutAnAnswerOpensTheCircuitAgainAndEveryChangeIsReported() {
        let levels = Mutex<[Int]>([])
        let breaker = CircuitBreaker(threshold: 1, openFor: .seconds(10)) { state in levels.withLock { $0.append(state.level) } }
        let start = ContinuousClock.now
        #expect(breaker.problem(now: start) == nil)
        breaker.recordFailure(now: start)
        #expect(breaker.problem(now: start) == "circuit open: the provider kept failing; next probe in 10 s")
        #expect(breaker.allow(now: start + .seconds(10)), "the probe")
        #expect(breaker.problem(now: start + .seconds(10))?.contains("half-open") == true)
        breaker.abandonProbe(now: start + .seconds(10))
        #expect(breaker.current == .open(until: start + .seconds(20)), "not left half-open")
        breaker.abandonProbe(now: start + .seconds(30))
        #expect(breaker.current == .open(until: start + .seconds(20)), "only a probe is abandoned")
        #expect(breaker.allow(now: start + .seconds(20)))
        breaker.recordSuccess()
        breaker.abandonProbe(now: start + .seconds(20))
        #expect(breaker.current == .closed(failures: 0), "a probe that got its answer stays closed")
        #expect(levels.withLock { $0 } == [2, 1, 2, 1, 0], "open, half-open, open, half-open, closed")
    }
}

/// The job queue against the real PostgreSQL, on the fault stack and one test at a time: each
/// claims whatever jobs are due, so it must not meet other tests' (or services') jobs.
extension FaultTests {
    func queue() async throws -> (JobQueue, PostgresPool) {
        let pool = stack.pool(.notification, size: 8, name: uniqueName("jobs"))
        let runner = MigrationRunner(pool: pool, logger: testLogger)
        try await runner.apply(ServiceHost.sharedMigrations(), source: "shared")
        try await runner.apply(ServiceDefinition.notificationService.migrations, source: "service")
        return (JobQueue(pool: pool, backoff: RetryPolicy(base: .milliseconds(10), cap: .milliseconds(50))), pool)
    }

    func job(_ event: String, _ recipient: String = "a@example.com", channel: Job.Channel = .email) -> NewJob {
        NewJob(eventId: event, channel: channel, recipient: recipient, template: "test", message: ["subject": "hi"], shopifyOrderId: event)
    }

    /// Moves every other test's pending jobs and leases a day ahead, for a test that counts
    /// what a worker's pass sends.
    func parkJobs(except event: String, _ pool: PostgresPool) async throws {
        _ = try await pool.query(
            """
            UPDATE jobs SET next_attempt_at = now() + interval '1 day',
                            lease_until = CASE WHEN state = 'PROCESSING' THEN now() + interval '1 day' END
            WHERE state IN ('PENDING', 'PROCESSING') AND event_id <> \(event)
            """
        )
    }

    func state(_ id: Int64, _ pool: PostgresPool) async throws -> String? {
        try await pool.query("SELECT state FROM jobs WHERE id = \(id)").scalar("state", as: String.self)
    }

    @Test func oneJobPerEventChannelAndRecipientHoweverOftenItIsCreated() async throws {
        let (queue, pool) = try await queue()
        let event = uniqueName("event")
        let created = try await pool.withTransaction { tx in
            try await queue.enqueue([job(event), job(event), job(event, channel: .push), job(event, "b@example.com")], in: tx)
        }
        #expect(created == 3)
        let again = try await pool.withTransaction { tx in try await queue.enqueue([job(event)], in: tx) }
        #expect(again == 0)
        await pool.close()
    }

    @Test func aFailingJobIsRetriedThenFailedThenRetriedByAnOperator() async throws {
        let (queue, pool) = try await queue()
        let event = uniqueName("fails")
        _ = try await pool.withTransaction { tx in try await queue.enqueue([job(event, "fail@example.com")], in: tx) }
        let id = try #require(try await pool.query("SELECT id FROM jobs WHERE event_id = \(event)").scalar("id", as: Int64.self))
        _ = try await pool.query("UPDATE jobs SET max_attempts = 3 WHERE id = \(id)")
        var attempts = 0
        while attempts < 3 {
            // Due again after its backoff (at most 50 ms here).
            var claimed: Job?
            _ = try await eventually {
                claimed = try await queue.claim(limit: 100, lease: .seconds(30)).first { $0.id == id }
                return claimed != nil
            }
            let job = try #require(claimed, "attempt \(attempts + 1) never became due")
            attempts += 1
            #expect(job.attempts == attempts)
            #expect(try await queue.fail(job, error: "smtp said no \(attempts)"))
        }
        #expect(try await state(id, pool) == "FAILED")
        let error = try await pool.query("SELECT last_error FROM jobs WHERE id = \(id)").scalar("last_error", as: String.self)
        #expect(error == "smtp said no 3")
        #expect(try await queue.retry(id: id))
        #expect(try await queue.retry(id: id) == false, "only a FAILED job")
        let retried = try #require(try await queue.claim(limit: 100, lease: .seconds(30)).first { $0.id == id })
        #expect(retried.attempts == 1)
        #expect(try await queue.complete(retried))
        #expect(try await state(id, pool) == "COMPLETED")
        await pool.close()
    }

    @Test func aJobWhoseLeaseRanOutIsTakenBackAndTheStaleWorkerCannotRecordIt() async throws {
        let (queue, pool) = try await queue()
        let event = uniqueName("lease")
        _ = try await pool.withTransaction { tx in try await queue.enqueue([job(event)], in: tx) }
        let id = try #require(try await pool.query("SELECT id FROM jobs WHERE event_id = \(event)").scalar("id", as: Int64.self))
        let first = try #require(try await queue.claim(limit: 100, lease: .seconds(30)).first { $0.id == id })
        #expect(try await queue.claim(limit: 100, lease: .seconds(30)).contains { $0.id == id } == false, "held while leased")
        // The lease runs out (moved into the past rather than waited for).
        _ = try await pool.query("UPDATE jobs SET lease_until = now() - interval '1 second' WHERE id = \(id)")
        let second = try #require(try await queue.claim(limit: 100, lease: .seconds(30)).first { $0.id == id })
        #expect(second.leaseToken != first.leaseToken)
        #expect(second.attempts == 2)
        #expect(try await queue.complete(first) == false, "the stale worker is fenced off")
        #expect(try await queue.fail(first, error: "late") == false)
        #expect(try await state(id, pool) == "PROCESSING")
        #expect(try await queue.complete(second))
        #expect(try await state(id, pool) == "COMPLETED")
        #expect(try await queue.complete(second) == false, "completed once")
        await pool.close()
    }

    @Test func completionsRecordedTogetherSkipTheClaimsThatNoLongerHold() async throws {
        let (queue, pool) = try await queue()
        let event = uniqueName("batch")
        _ = try await pool.withTransaction { tx in
            try await queue.enqueue((0..<3).map { job(event, "r\($0)@example.com") }, in: tx)
        }
        let ids = try await pool.query("SELECT id FROM jobs WHERE event_id = \(event) ORDER BY id").map { try $0.decode("id", as: Int64.self) }
        var held = try await queue.claim(limit: 100, lease: .seconds(30)).filter { ids.contains($0.id) }
        #expect(held.count == 3)
        // The last one's lease is taken back by another worker before the sends are recorded.
        _ = try await pool.query("UPDATE jobs SET lease_token = gen_random_uuid() WHERE id = \(ids[2])")
        held.sort { $0.id < $1.id }
        let completed = try await queue.complete(held)
        #expect(completed == Set(ids[0...1]))
        #expect(try await state(ids[0], pool) == "COMPLETED")
        #expect(try await state(ids[2], pool) == "PROCESSING")
        #expect(try await queue.complete(held).isEmpty, "completed once")
        await pool.close()
    }

    /// What a crash can send twice is what was in flight: each send is recorded as soon as it
    /// is accepted, before its sender takes the next job, not after the rest of its batch.
    @Test func eachSendIsRecordedBeforeItsSenderSendsAgain() async throws {
        let (queue, pool) = try await queue()
        let event = uniqueName("record")
        _ = try await pool.withTransaction { tx in
            try await queue.enqueue((0..<12).map { job(event, "r\($0)@example.com") }, in: tx)
        }
        try await parkJobs(except: event, pool)
        let provider = LedgerCheckingProvider(pool: pool, event: event, concurrency: 3)
        let worker = NotificationWorker(queue: queue, providers: [provider], settings: .init(batchSize: 32), logger: testLogger)
        _ = try await worker.pass(provider)
        let sends = provider.sends
        #expect(sends.count == 12)
        #expect(provider.peakInFlight == 3, "as many in flight as the provider allows, no more")
        for send in sends {
            // Every send that started earlier is recorded but those still in flight on the
            // other senders.
            #expect(
                send.recorded >= send.startedBefore - (provider.concurrency - 1),
                "after \(send.startedBefore) sends only \(send.recorded) were recorded"
            )
        }
        let completed = try await pool.query(
            "SELECT count(*)::int AS n FROM jobs WHERE event_id = \(event) AND state = 'COMPLETED'"
        ).scalar("n", as: Int.self)
        #expect(completed == 12)
        await pool.close()
    }

    /// A job is sent only in the first half of its lease, so its send ends before another
    /// worker may claim it; the rest of the batch goes back at once, attempts unused.
    @Test func jobsNotStartedInTheFirstHalfOfTheirLeaseAreGivenBack() async throws {
        let (queue, pool) = try await queue()
        let event = uniqueName("half")
        _ = try await pool.withTransaction { tx in
            try await queue.enqueue((0..<3).map { job(event, "r\($0)@example.com") }, in: tx)
        }
        try await parkJobs(except: event, pool)
        // One sender whose send outlasts half the lease (1 s of 2 s); no margin to record, so
        // that only the half-lease rule is at work.
        let provider = SlowProvider(sendTime: .milliseconds(1100))
        let worker = NotificationWorker(
            queue: queue,
            providers: [provider],
            settings: .init(lease: .seconds(2), recordMargin: .zero),
            logger: testLogger
        )
        _ = try await worker.pass(provider)
        #expect(provider.sends.total == 1)
        let rows = try await pool.query("SELECT state, attempts FROM jobs WHERE event_id = \(event) ORDER BY state")
            .map { "\(try $0.decode("state", as: String.self)) \(try $0.decode("attempts", as: Int.self))" }
        #expect(rows == ["COMPLETED 1", "PENDING 0", "PENDING 0"])
        let due = try await pool.query(
            "SELECT count(*)::int AS n FROM jobs WHERE event_id = \(event) AND state = 'PENDING' AND next_attempt_at <= now()"
        ).scalar("n", as: Int.self)
        #expect(due == 2, "due again at once")
        try await parkJobs(except: "", pool)
        await pool.close()
    }

    /// A job whose lease ran out while the database was unreachable may have been sent by a
    /// worker cut off by the same outage and still trying to record it (packets dropped for
    /// longer than the lease: chaos sent 3 notifications twice). A lease is taken back only a
    /// while after it ran out (a record that hung through a short outage gets in first), and by
    /// a worker that saw an outage, or has just started, only long after, until the database
    /// has answered it for a while.
    @Test func aLeaseThatRanOutIsLeftToItsSenderForAWhileAndLongerAfterAnOutage() async throws {
        let (queue, pool) = try await queue()
        let event = uniqueName("cutoff")
        let provider = SlowProvider(sendTime: .zero)
        let settings = NotificationWorker.Settings(reclaimGrace: .seconds(20), reclaimAfterOutage: .seconds(30), reclaimLongExpired: .seconds(300))
        func claimedAndExpired(_ recipient: String, ago: Int) async throws -> Job {
            _ = try await pool.withTransaction { tx in try await queue.enqueue([job(event, recipient)], in: tx) }
            try await parkJobs(except: event, pool)
            let claimed = try #require(try await queue.claim(limit: 100, lease: .seconds(30)).first { $0.recipient == recipient })
            _ = try await pool.query("UPDATE jobs SET lease_until = now() - \(ago) * interval '1 second' WHERE id = \(claimed.id)")
            return claimed
        }
        let quiet = NotificationWorker(
            queue: queue,
            providers: [provider],
            settings: settings,
            outages: OutageMemory(startedAt: .now - .seconds(31)),
            logger: testLogger
        )
        let justBack = NotificationWorker(queue: queue, providers: [provider], settings: settings, logger: testLogger)

        let recent = try await claimedAndExpired("a@example.com", ago: 1)
        #expect(try await quiet.pass(provider) == 0, "not taken back the moment its lease ran out")
        #expect(try await queue.complete(recent), "so a record that hung through a short outage gets in")

        let cutOff = try await claimedAndExpired("b@example.com", ago: 21)
        #expect(try await justBack.pass(provider) == 0, "not taken back by a worker just started (or just back from an outage)")
        #expect(try await queue.complete(cutOff), "so the cut-off sender's record gets in")
        #expect(provider.sends.total == 0)

        let abandoned = try await claimedAndExpired("c@example.com", ago: 21)
        #expect(try await quiet.pass(provider) == 1, "taken back by a worker whose database has answered for a while")
        #expect(try await queue.complete(abandoned) == false, "and the stale claim is fenced off")

        let dead = try await claimedAndExpired("d@example.com", ago: 301)
        #expect(try await justBack.pass(provider) == 1, "a lease that ran out long ago is taken back all the same")
        #expect(try await queue.complete(dead) == false)
        #expect(provider.sends.total == 2)
        try await parkJobs(except: "", pool)
        await pool.close()
    }

    /// Only a failure to reach the database counts as an outage; a pool that is only busy
    /// does not (it would keep a dead replica's jobs from being taken back under load).
    @Test func outagesAreConnectionFailuresNotABusyPool() async throws {
        let memory = OutageMemory(startedAt: .now - .seconds(31))
        #expect(memory.quiet(for: .seconds(30)))
        _ = try? await memory.watching { () async throws -> Int in throw PostgresError(kind: .busy, message: "no connection free") }
        #expect(memory.quiet(for: .seconds(30)), "a busy pool is not an outage")
        _ = try? await memory.watching { () async throws -> Int in throw PostgresError(kind: .connection, message: "refused") }
        #expect(!memory.quiet(for: .seconds(30)))
        #expect(memory.quiet(for: .seconds(30), now: .now + .seconds(31)))
        #expect(!OutageMemory().quiet(for: .seconds(30)), "a replica starts as if it had just seen an outage")
    }

    /// A worker whose email circuit is due for its probe, with a provider that refuses all.
    func probing(_ queue: JobQueue) async throws -> (NotificationWorker, CircuitBreaker, RefusingProvider) {
        let provider = RefusingProvider()
        let worker = NotificationWorker(
            queue: queue,
            providers: [provider],
            settings: .init(breakerThreshold: 1, breakerOpenFor: .milliseconds(1)),
            logger: testLogger
        )
        let breaker = try #require(worker.breakers[.email])
        breaker.recordFailure()
        try await Task.sleep(for: .milliseconds(10))
        return (worker, breaker, provider)
    }

    /// A half-open circuit whose probe meets a permanent refusal (FCM's UNREGISTERED for a
    /// stale token, an SMTP 5xx for one address) closes: the provider answered. It used to stay
    /// half-open for ever, sending nothing more.
    @Test func aProbeRefusedForGoodClosesTheCircuit() async throws {
        let (queue, pool) = try await queue()
        let event = uniqueName("probe")
        _ = try await pool.withTransaction { tx in
            try await queue.enqueue((0..<3).map { job(event, "r\($0)@example.com") }, in: tx)
        }
        try await parkJobs(except: event, pool)
        let (worker, breaker, provider) = try await probing(queue)
        #expect(try await worker.pass(provider) == 1, "the probe alone")
        #expect(breaker.current == .closed(failures: 0))
        #expect(try await worker.pass(provider) == 2, "then the rest, normally")
        #expect(provider.sends.total == 3)
        try await parkJobs(except: "", pool)
        await pool.close()
    }

    /// A probe whose job cannot even be claimed (the database is gone) opens the circuit
    /// again, so that a later pass probes anew instead of finding it half-open for ever.
    @Test func aProbeWhoseClaimFailsOpensTheCircuitAgain() async throws {
        let (queue, pool) = try await queue()
        await pool.close()
        let (worker, breaker, provider) = try await probing(queue)
        await #expect(throws: (any Error).self) { try await worker.pass(provider) }
        guard case .open = breaker.current else {
            Issue.record("left \(breaker.current), not open")
            return
        }
        try await Task.sleep(for: .milliseconds(10))
        #expect(breaker.allow(), "a later probe is let through")
    }

    @Test func concurrentWorkersNeverClaimTheSameJob() async throws {
        let (queue, pool) = try await queue()
        let event = uniqueName("many")
        _ = try await pool.withTransaction { tx in
            try await queue.enqueue((0..<200).map { job(event, "r\($0)@example.com") }, in: tx)
        }
        let claimed = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for _ in 0..<4 {
                group.addTask {
                    var mine: [Int64] = []
                    while true {
                        let jobs = try await queue.claim(limit: 7, lease: .seconds(30))
                        if jobs.isEmpty { return mine }
                        for job in jobs {
                            mine.append(job.id)
                            _ = try await queue.complete(job)
                        }
                    }
                }
            }
            return try await group.reduce(into: [Int64]()) { $0 += $1 }
        }
        let ours = Set(try await pool.query("SELECT id FROM jobs WHERE event_id = \(event)").map { try $0.decode("id", as: Int64.self) })
        let claimedOurs = claimed.filter { ours.contains($0) }
        #expect(claimedOurs.count == 200)
        #expect(Set(claimedOurs).count == 200, "no job claimed twice")
        await pool.close()
    }
}

/// A provider that notes, as each send starts, how many of the event's jobs are already
/// recorded as sent and how many sends are in flight. The first sends wait until the provider
/// is full, so that the limit is reached whatever the machine's speed.
private final class LedgerCheckingProvider: NotificationProvider, Sendable {
    let pool: PostgresPool
    let event: String
    let concurrency: Int
    /// Sends in flight now, the most ever in flight, and for each send how many had started
    /// before it and how many of those it saw recorded.
    private let state = Mutex<(inFlight: Int, peak: Int, sends: [(startedBefore: Int, recorded: Int)])>((0, 0, []))
    var channel: Job.Channel { .email }

    init(pool: PostgresPool, event: String, concurrency: Int) {
        self.pool = pool
        self.event = event
        self.concurrency = concurrency
    }

    var sends: [(startedBefore: Int, recorded: Int)] { state.withLock { $0.sends } }
    var peakInFlight: Int { state.withLock { $0.peak } }

    func send(_ message: [String: String]) async throws {
        let startedBefore = state.withLock {
            $0.inFlight += 1
            $0.peak = max($0.peak, $0.inFlight)
            $0.sends.append((startedBefore: $0.sends.count, recorded: -1))
            return $0.sends.count - 1
        }
        defer { state.withLock { $0.inFlight -= 1 } }
        let recorded =
            try await pool.query(
                "SELECT count(*)::int AS n FROM jobs WHERE event_id = \(event) AND state = 'COMPLETED'"
            ).scalar("n", as: Int.self) ?? -1
        state.withLock { $0.sends[startedBefore].recorded = recorded }
        // The peak, not the current count: once one of the first sends has seen it and ended, the
        // others must not wait for a moment that has passed.
        if startedBefore < concurrency { _ = await eventually { self.state.withLock { $0.peak } >= self.concurrency } }
    }
}

/// One sender whose every send takes `sendTime`.
private struct SlowProvider: NotificationProvider {
    let sendTime: Duration
    let sends = Tally()
    var channel: Job.Channel { .email }

    func send(_ message: [String: String]) async throws {
        try await Task.sleep(for: sendTime)
        sends.add()
    }
}

/// An email provider that refuses every message for good (an address its server rejects).
struct RefusingProvider: NotificationProvider {
    let sends = Tally()
    var channel: Job.Channel { .email }

    func send(_ message: [String: String]) async throws {
        sends.add()
        throw ProviderFailure.permanent("550 5.1.1 no such user")
    }
}
