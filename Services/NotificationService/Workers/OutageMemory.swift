import Postgres
import Synchronization

/// When this replica last failed to reach its database. A job whose lease ran out during an
/// outage may have been sent by a worker that could not record it yet (the outage cut it off
/// too, and it keeps trying); taking such a job back the moment the database returns would
/// race that record and send the job again. So, until the database has answered this replica
/// for a while, only leases that ran out long ago are taken back (`NotificationWorker`).
///
/// Only failures to reach the database count: a pool merely busy would, under load, keep a
/// dead replica's jobs from being taken back. A replica starts as if it had just seen one: it
/// may have been started because of the outage. What this cannot see is an outage of the
/// sender alone (a partition of its node only): the others then take its jobs back when
/// their leases run out, as after a crash.
final class OutageMemory: Sendable {
    private let lastFailure: Mutex<ContinuousClock.Instant>

    init(startedAt: ContinuousClock.Instant = .now) {
        lastFailure = Mutex(startedAt)
    }

    func noteFailure(at instant: ContinuousClock.Instant = .now) {
        lastFailure.withLock { $0 = instant }
    }

    /// Runs a database call and remembers it if it could not reach the database.
    func watching<T: Sendable>(_ call: @Sendable () async throws -> T) async throws -> T {
        do {
            return try await call()
        } catch let error as PostgresError where error.isConnectionFailure {
            noteFailure()
            throw error
        }
    }

    /// Whether the database has answered for at least `quiet` since the last failure seen.
    func quiet(for quiet: Duration, now: ContinuousClock.Instant = .now) -> Bool {
        lastFailure.withLock { now - $0 >= quiet }
    }
}
