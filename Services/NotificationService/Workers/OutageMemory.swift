import Postgres
import Synchronization

/// When this replica last failed to reach its database. A job whose lease ran out during an
/// outage may have been sent by a worker that could not record it yet (the outage cut it off
/// too, and it keeps trying); taking such a job back the moment the database returns would
/// race that record and send the job again. So, until the database has answered this replica
/// for a while, only leases that ran out long ago are taken back (`JobQueue.claim`).
///
/// A call that failed to connect counts, and so does one that took very long: on a
/// connection whose packets were dropped, a statement can hang through the outage and
/// succeed when it ends, without any error. A pool merely busy does not count: under load
/// that would keep expired leases (a dead replica's jobs) from ever being taken back.
/// What this cannot see is an outage of the sender alone (a partition of its node only): the
/// others then take its jobs back when their leases run out, as after a crash.
final class OutageMemory: Sendable {
    /// A database call slower than this is taken for an outage that just ended.
    static let slowCall = Duration.seconds(5)

    private let lastFailure = Mutex<ContinuousClock.Instant?>(nil)

    init() {}

    func noteFailure(at instant: ContinuousClock.Instant = .now) {
        lastFailure.withLock { $0 = instant }
    }

    /// Runs a database call and remembers it if it failed to reach the database or was slow.
    func watching<T: Sendable>(_ call: @Sendable () async throws -> T) async throws -> T {
        let started = ContinuousClock.now
        do {
            let result = try await call()
            if ContinuousClock.now - started > Self.slowCall { noteFailure() }
            return result
        } catch let error as PostgresError where error.isConnectionFailure {
            noteFailure()
            throw error
        }
    }

    /// Whether the database has answered for at least `quiet` since the last failure seen.
    func quiet(for quiet: Duration, now: ContinuousClock.Instant = .now) -> Bool {
        lastFailure.withLock { $0.map { now - $0 >= quiet } ?? true }
    }
}
