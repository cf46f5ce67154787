import Common
import Logging
import Metrics
import Postgres

/// Stores deliveries with group commit: requests that arrive while a write is in flight are
/// stored together by the next one, in one statement and one commit (one WAL flush), and each
/// caller resumes only once its row is committed. Under light load a delivery is written at
/// once on its own; under heavy load batches grow, which is what keeps commits, round trips
/// and per-statement work from growing with the request rate.
actor WebhookDeliveryWriter {
    struct Settings: Sendable {
        /// Writes in flight at once, each on its own pooled connection.
        var concurrentWrites = 4
        var maxBatch = 64
        /// Attempts for a batch that hits a deadlock or serialization failure.
        var attempts = 3
        /// The longest a caller waits to hear whether its delivery is stored: within
        /// Shopify's 5 s, so that an overloaded or stalled database is answered 503 (Shopify
        /// sends it again) instead of timing out. A delivery still waiting for its batch at
        /// the deadline is not written at all: under overload, work nobody waits for is shed.
        var answerWithin: Duration = .seconds(4)
        /// A delivery with less time than this left is not written either: its write would
        /// most likely end after its caller was told 503.
        var minimumTimeLeft: Duration = .milliseconds(250)
        /// Payload bytes that may wait for a write. Beyond, a delivery is answered 503 at once:
        /// callers told 503 at their deadline no longer hold the server back, so without a
        /// bound a stalled database would let waiting payloads grow with the request rate.
        var maxWaitingBytes = 64 * 1024 * 1024
    }

    /// Too much already waits for a write (`maxWaitingBytes`).
    struct Overloaded: Error, CustomStringConvertible {
        var description: String { "too many deliveries waiting to be stored" }
    }

    private struct Waiter {
        var webhook: ReceivedWebhook
        var continuation: CheckedContinuation<Bool, any Error>
        var deadline: ContinuousClock.Instant
    }

    private let repository: WebhookDeliveryRepository
    /// Ids committed (stored now or found stored): a conflict on insert means a committed row.
    private let recent = RecentWebhookIds()
    private let settings: Settings
    private let logger: Logger
    private var waiting: [Waiter] = []
    private var waitingBytes = 0
    /// Writes in flight (a test figure too).
    private(set) var writing = 0
    private let batchSizes = Recorder(label: "webhook_store_batch_size")
    /// Statements that stored deliveries, one commit each (a test and diagnostics figure).
    private(set) var commits = 0
    /// Batches split into single-row writes because a row was refused (a test figure).
    private(set) var splits = 0
    /// Deliveries not written because their deadline passed while they waited (a test figure).
    private(set) var shed = 0

    init(repository: WebhookDeliveryRepository, settings: Settings = .init(), logger: Logger) {
        self.repository = repository
        self.settings = settings
        self.logger = logger
    }

    /// Stores the delivery durably; false if its webhook id was stored before. Throws
    /// `AnswerDeadline.Exceeded` if that is not known within `answerWithin` of the request's
    /// arrival (reading its body and checking its signature count too), `Overloaded` if too
    /// much waits already.
    nonisolated func store(_ webhook: ReceivedWebhook, arrivedAt: ContinuousClock.Instant = .now) async throws -> Bool {
        if recent.contains(webhook.headers.webhookId) { return false }
        let deadline = AnswerDeadline(settings.answerWithin, from: arrivedAt)
        return try await deadline.run { try await self.enqueue(webhook, deadline: deadline.deadline) }
    }

    /// Deliveries waiting for a write (a test figure).
    var queued: Int { waiting.count }

    private func enqueue(_ webhook: ReceivedWebhook, deadline: ContinuousClock.Instant) async throws -> Bool {
        // Those whose callers were told 503 already are not what fills the queue.
        if let oldest = waiting.first, oldest.deadline <= shedCutoff {
            shedExpired()
        }
        guard waitingBytes + webhook.payload.count <= settings.maxWaitingBytes || waiting.isEmpty else { throw Overloaded() }
        return try await withCheckedThrowingContinuation { continuation in
            waiting.append(Waiter(webhook: webhook, continuation: continuation, deadline: deadline))
            waitingBytes += webhook.payload.count
            if writing < settings.concurrentWrites {
                writing += 1
                Task { await drain() }
            }
        }
    }

    /// Writes batches until nothing waits. Other callers enqueue while a write is awaited.
    private func drain() async {
        while true {
            shedExpired()
            if waiting.isEmpty { break }
            let batch = Array(waiting.prefix(settings.maxBatch))
            waiting.removeFirst(batch.count)
            waitingBytes -= batch.reduce(0) { $0 + $1.webhook.payload.count }
            await write(batch)
        }
        writing -= 1
    }

    /// Answers, without writing them, the deliveries whose callers were told 503 already or
    /// will be before a write could end.
    private func shedExpired() {
        let cutoff = shedCutoff
        guard waiting.contains(where: { $0.deadline <= cutoff }) else { return }
        var kept: [Waiter] = []
        for waiter in waiting {
            if waiter.deadline <= cutoff {
                waitingBytes -= waiter.webhook.payload.count
                shedOne(waiter)
            } else {
                kept.append(waiter)
            }
        }
        waiting = kept
    }

    /// Deadlines up to this leave too little time for a write (`minimumTimeLeft`).
    private var shedCutoff: ContinuousClock.Instant { .now.advanced(by: settings.minimumTimeLeft) }

    private func shedOne(_ waiter: Waiter) {
        shed += 1
        waiter.continuation.resume(throwing: AnswerDeadline.Exceeded(limit: settings.answerWithin))
    }

    /// Writes the batch and answers its callers. Returns the error when the whole statement
    /// failed for a reason no single row caused (then the same would meet any other write).
    @discardableResult
    private func write(_ batch: [Waiter]) async -> (any Error)? {
        // A webhook id twice in one batch is stored once; the later copies are duplicates.
        var seen = Set<String>()
        var unique: [Waiter] = []
        var repeats: [Waiter] = []
        for waiter in batch {
            if seen.insert(waiter.webhook.headers.webhookId).inserted { unique.append(waiter) } else { repeats.append(waiter) }
        }
        do {
            let stored = try await insertRetrying(unique.map(\.webhook))
            commits += 1
            recent.insert(unique.map(\.webhook.headers.webhookId))
            batchSizes.record(batch.count)
            for waiter in unique { waiter.continuation.resume(returning: stored.contains(waiter.webhook.headers.webhookId)) }
            for waiter in repeats { waiter.continuation.resume(returning: false) }
            return nil
        } catch let error as PostgresError where error.mayBeCausedByOneRow && unique.count > 1 {
            // One bad row must not fail the others: store each on its own.
            logger.warning("webhook batch rejected, storing one by one", metadata: [LogKey.error: "\(error)"])
            splits += 1
            await writeOneByOne(unique + repeats)
            return nil
        } catch {
            // The whole statement failed (no connection came free in time, the database is
            // gone): every caller is answered at once (503, so Shopify sends it again) rather
            // than each waiting for a single-row write that would fail the same way.
            for waiter in unique + repeats { waiter.continuation.resume(throwing: error) }
            return (error as? PostgresError)?.mayBeCausedByOneRow == true ? nil : error
        }
    }

    /// The rows of a refused batch, each on its own; those whose deadline came meanwhile are
    /// shed, and once a write fails for a reason of its own (the pool, the connection) the
    /// rest are answered with that error at once instead of each waiting for it in turn.
    private func writeOneByOne(_ waiters: [Waiter]) async {
        var failure: (any Error)?
        for waiter in waiters {
            if let failure {
                waiter.continuation.resume(throwing: failure)
            } else if waiter.deadline <= shedCutoff {
                shedOne(waiter)
            } else {
                failure = await write([waiter])
            }
        }
    }

    private func insertRetrying(_ webhooks: [ReceivedWebhook]) async throws -> Set<String> {
        var attempt = 1
        while true {
            do {
                return try await repository.insert(webhooks)
            } catch let error as PostgresError where error.isRetryableTransactionFailure && attempt < settings.attempts {
                attempt += 1
            }
        }
    }
}
