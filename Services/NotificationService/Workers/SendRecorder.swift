import Common
import Logging
import Postgres
import ServiceLifecycle

/// Records accepted sends as they happen, with group commit: a send accepted while a record is
/// being written waits for the next write, which takes everything that arrived meanwhile in
/// one statement. Each sender waits for its own record before it sends again, so what a crash
/// can leave sent but unrecorded (and so sent again later) is at most one message per sender.
actor SendRecorder {
    private struct Waiter {
        var job: Job
        var continuation: CheckedContinuation<Bool, any Error>
    }

    private let queue: JobQueue
    private let outages: OutageMemory
    private let logger: Logger
    private var waiting: [Waiter] = []
    private var writing = false

    init(queue: JobQueue, outages: OutageMemory, logger: Logger) {
        self.queue = queue
        self.outages = outages
        self.logger = logger
    }

    /// Records `job` as sent; false if its claim no longer holds (the lease was taken back).
    func record(_ job: Job) async throws -> Bool {
        try await withCheckedThrowingContinuation { continuation in
            waiting.append(Waiter(job: job, continuation: continuation))
            if !writing {
                writing = true
                Task { await drain() }
            }
        }
    }

    private func drain() async {
        while !waiting.isEmpty {
            let batch = waiting
            waiting = []
            do {
                let completed = try await completeRetrying(batch.map(\.job))
                for waiter in batch { waiter.continuation.resume(returning: completed.contains(waiter.job.id)) }
            } catch {
                for waiter in batch { waiter.continuation.resume(throwing: error) }
            }
        }
        writing = false
    }

    /// Keeps trying while the database is unreachable or busy, however long that lasts: a send
    /// left unrecorded goes out again, and the lease token fences every try (a record is taken
    /// only while the claim still holds, even after its lease ran out if no one has claimed
    /// the job since). Only the service stopping ends the tries (the sends then go out again,
    /// as after a crash).
    private func completeRetrying(_ jobs: [Job]) async throws -> Set<Int64> {
        var failures = 0
        while true {
            do {
                return try await outages.watching { try await queue.complete(jobs) }
            } catch let error as PostgresError where error.isTemporary && !Task.isShuttingDownGracefully {
                logger.warning("sends not recorded yet; trying again", metadata: [LogKey.jobs: "\(jobs.count)", LogKey.error: "\(error)"])
                failures += 1
                try await Task.sleep(for: RetryPolicy.reconnect.delay(attempt: failures))
            }
        }
    }
}
