import Common
import Foundation
import Logging
import Metrics
import Postgres
import ServiceKit
import ServiceLifecycle

/// Claims due jobs for each channel that has a provider and sends them, several at a time.
/// A provider behind an open circuit is not called: its jobs wait (given back without using
/// an attempt) until the circuit lets a probe through. Each circuit's state is the gauge
/// `notification_breaker_state` (0 closed, 1 half-open, 2 open) and a readiness check.
struct NotificationWorker: Service {
    struct Settings: Sendable {
        var batchSize = 32
        var lease = Duration.seconds(60)
        var pollInterval = Duration.milliseconds(50)
        var breakerThreshold = 5
        var breakerOpenFor = Duration.seconds(30)
        /// Left of a lease after the longest send, for recording it: the pool's wait for a
        /// connection (10 s at most) and the statement.
        var recordMargin = Duration.seconds(11)
        /// How long after its lease ran out a job is taken back. A record sent just before a
        /// short outage can hang on its connection without an error (nothing tells this
        /// replica of the outage either) until the network returns or the connection's dead-
        /// peer timeout (15 s) ends it; a claim sent meanwhile hangs as well and then runs. A
        /// record starts at least `recordMargin` before its lease ends, so a grace longer
        /// than the dead-peer timeout lets such a record in first.
        var reclaimGrace = Duration.seconds(20)
        /// How long the database must have answered, after this replica last failed to reach
        /// it (or started), before `reclaimGrace` applies (`OutageMemory`): time for a record
        /// cut off by the same outage to get through once the database is back: its retries
        /// are at most 5 s apart, then a connection (up to 5 s), the pool's wait (up to 10 s)
        /// and the statement.
        var reclaimAfterOutage = Duration.seconds(30)
        /// Meanwhile, a lease that ran out this long ago is taken back all the same: a replica
        /// that keeps meeting slow or failed calls still takes over a dead one's jobs.
        var reclaimLongExpired = Duration.seconds(300)
    }

    let queue: JobQueue
    let providers: [any NotificationProvider]
    let breakers: [Job.Channel: CircuitBreaker]
    let settings: Settings
    let logger: Logger
    private let recorder: SendRecorder
    private let outages: OutageMemory
    private let sent = Counter(label: "notifications_sent_total")
    private let failed = Counter(label: "notifications_failed_attempts_total")

    init(
        queue: JobQueue,
        providers: [any NotificationProvider],
        settings: Settings = .init(),
        outages: OutageMemory = OutageMemory(),
        logger: Logger
    ) {
        self.queue = queue
        self.outages = outages
        self.providers = providers
        self.settings = settings
        self.logger = logger
        recorder = SendRecorder(queue: queue, outages: outages, logger: logger)
        breakers = Dictionary(
            uniqueKeysWithValues: providers.map { provider in
                let gauge = Gauge(label: "notification_breaker_state", dimensions: [("channel", provider.channel.rawValue)])
                gauge.record(0)
                return (
                    provider.channel,
                    CircuitBreaker(threshold: settings.breakerThreshold, openFor: settings.breakerOpenFor) { gauge.record($0.level) }
                )
            }
        )
    }

    func run() async throws {
        guard !providers.isEmpty else {
            // Nothing to send with: jobs wait, and the service runs on until it is stopped.
            try? await gracefulShutdown()
            return
        }
        await withDiscardingTaskGroup { group in
            for provider in providers {
                group.addTask {
                    await BatchPoller(
                        batchSize: settings.batchSize,
                        interval: settings.pollInterval,
                        logger: logger,
                        failure: "notification pass failed"
                    )
                    .run { try await pass(provider) }
                }
            }
        }
        for provider in providers { await provider.shutdown() }
    }

    /// Claims and sends one batch for `provider`'s channel; returns how many it claimed.
    @discardableResult
    func pass(_ provider: any NotificationProvider) async throws -> Int {
        let breaker = breakers[provider.channel]!
        guard breaker.allow() else { return 0 }
        // While the circuit is half-open, only the probe goes out; a probe that ends without
        // the provider's answer (its claim or its record failed) opens the circuit again.
        let probing = if case .halfOpen = breaker.current { true } else { false }
        defer { if probing { breaker.abandonProbe() } }
        let claimedAt = ContinuousClock.now
        let sendBy = claimedAt + min(settings.lease / 2, settings.lease - provider.maxSendTime - settings.recordMargin)
        let reclaimAfter = outages.quiet(for: settings.reclaimAfterOutage) ? settings.reclaimGrace : settings.reclaimLongExpired
        let jobs = try await outages.watching {
            try await queue.claim(
                limit: probing ? 1 : settings.batchSize,
                lease: settings.lease,
                channels: [provider.channel],
                expiredFor: reclaimAfter
            )
        }
        if jobs.isEmpty {
            if probing { breaker.recordSuccess() }  // nothing to probe with; try again normally
            return 0
        }
        // At most `provider.concurrency` sends at once, and each is recorded as soon as it is
        // accepted, before its sender takes the next job: a crash can then repeat at most the
        // sends in flight (one per sender), never the rest of the batch.
        let senders = max(1, provider.concurrency)
        var waiting = jobs[...]
        var failure: (any Error)?
        var recorded = 0
        await withTaskGroup(of: SendOutcome.self) { group in
            var running = 0
            while true {
                // A job is sent only while its lease has room for the longest send and its
                // record (and never in the lease's second half), so that no other worker can
                // claim it before it is recorded; nothing more once recording went wrong.
                while running < senders, failure == nil, ContinuousClock.now < sendBy, let job = waiting.popFirst() {
                    group.addTask { await sendAndRecord(job, with: provider, breaker: breaker, probe: probing) }
                    running += 1
                }
                guard let outcome = await group.next() else { break }
                running -= 1
                switch outcome {
                case .recorded: recorded += 1
                case .notSent: break
                case .notRecorded(let error): failure = failure ?? error
                }
            }
        }
        sent.increment(by: recorded)
        if !waiting.isEmpty {
            // Not sent: given back at once, without using up an attempt.
            _ = try? await queue.release(Array(waiting))
        }
        if let failure { throw failure }
        return jobs.count
    }

    private enum SendOutcome {
        case recorded, notSent
        /// Sent or failed, but the database did not take the record of it.
        case notRecorded(any Error)
    }

    /// Sends one job and records the outcome.
    private func sendAndRecord(_ job: Job, with provider: any NotificationProvider, breaker: CircuitBreaker, probe: Bool) async -> SendOutcome {
        do {
            guard try await deliver(job, with: provider, breaker: breaker, probe: probe) else { return .notSent }
            if try await recorder.record(job) { return .recorded }
            logger.warning("sent, but the job's lease had been taken back", metadata: [LogKey.jobId: "\(job.id)"])
            return .notSent
        } catch {
            // The job stays claimed until its lease runs out.
            logger.error("could not record a send or a failed send", metadata: [LogKey.jobId: "\(job.id)", LogKey.error: "\(error)"])
            return .notRecorded(error)
        }
    }

    /// Sends one job; true if it went out (its sender records it), false if it failed or waits
    /// for its provider (recorded here). The probe of a half-open circuit was let through by
    /// the pass; every other send asks the circuit itself.
    private func deliver(_ job: Job, with provider: any NotificationProvider, breaker: CircuitBreaker, probe: Bool) async throws -> Bool {
        guard probe || breaker.allow() else {
            _ = try await queue.postpone(job, by: settings.breakerOpenFor, reason: "\(provider.channel) provider unavailable (circuit open)")
            return false
        }
        var message = (try? JSONSerialization.jsonObject(with: job.message) as? [String: String]) ?? [:]
        // The same id on every attempt: a receiver can recognise a message sent again after
        // a crash between the send and the record of it (at-least-once delivery).
        message[Job.notificationIdKey] = job.notificationId
        do {
            try await provider.send(message)
            breaker.recordSuccess()
            return true
        } catch {
            let failure = error as? ProviderFailure ?? .transient("\(error)")
            // A permanent refusal is an answer: the provider is up.
            if failure.permanent { breaker.recordSuccess() } else { breaker.recordFailure() }
            failed.increment()
            var final = job
            if failure.permanent { final.attempts = final.maxAttempts }
            _ = try await queue.fail(final, error: failure.description)
            logger.warning(
                "notification not sent",
                metadata: [
                    LogKey.jobId: "\(job.id)", LogKey.jobChannel: "\(job.channel.rawValue)", LogKey.attempt: "\(job.attempts)",
                    LogKey.error: "\(failure.description)",
                ]
            )
            return false
        }
    }
}
