import Foundation
import Logging
import Metrics
import Postgres
import ServiceKit
import ServiceLifecycle

/// Claims due jobs for each channel that has a provider and sends them, several at a time.
/// A provider behind an open circuit is not called: its jobs wait (given back without using
/// an attempt) until the circuit lets a probe through.
struct NotificationWorker: Service {
    struct Settings: Sendable {
        var batchSize = 32
        var lease = Duration.seconds(60)
        var pollInterval = Duration.milliseconds(50)
        var breakerThreshold = 5
        var breakerOpenFor = Duration.seconds(30)
    }

    let queue: JobQueue
    let providers: [any NotificationProvider]
    let breakers: [Job.Channel: CircuitBreaker]
    let settings: Settings
    let logger: Logger
    private let sent = Counter(label: "notifications_sent_total")
    private let failed = Counter(label: "notifications_failed_attempts_total")

    init(queue: JobQueue, providers: [any NotificationProvider], settings: Settings = .init(), logger: Logger) {
        self.queue = queue
        self.providers = providers
        self.settings = settings
        self.logger = logger
        breakers = Dictionary(uniqueKeysWithValues: providers.map {
            ($0.channel, CircuitBreaker(threshold: settings.breakerThreshold, openFor: settings.breakerOpenFor))
        })
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
                    await BatchPoller(batchSize: settings.batchSize, interval: settings.pollInterval, logger: logger,
                                      failure: "notification pass failed")
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
        // While the circuit is half-open, only the probe goes out.
        let halfOpen = if case .halfOpen = breaker.current { true } else { false }
        let jobs = try await queue.claim(limit: halfOpen ? 1 : settings.batchSize, lease: settings.lease, channels: [provider.channel])
        if jobs.isEmpty {
            if halfOpen { breaker.recordSuccess() }  // nothing to probe with; try again normally
            return 0
        }
        // Sends run together; their completions are recorded together, in one statement.
        // A job whose failure could not be recorded stays claimed until its lease runs out; it
        // must not keep the others' sends from being recorded.
        let sentJobs = await withTaskGroup(of: Job?.self) { group in
            for job in jobs {
                group.addTask {
                    do {
                        return try await deliver(job, with: provider, breaker: breaker) ? job : nil
                    } catch {
                        logger.error("could not record a failed send", metadata: ["job.id": "\(job.id)", "error": "\(error)"])
                        return nil
                    }
                }
            }
            return await group.reduce(into: [Job]()) { if let job = $1 { $0.append(job) } }
        }
        let completed = try await recordSent(sentJobs)
        sent.increment(by: completed.count)
        for job in sentJobs where !completed.contains(job.id) {
            logger.warning("sent, but the job's lease had been taken back", metadata: ["job.id": "\(job.id)"])
        }
        return jobs.count
    }

    /// Records sends that went out. Unrecorded, they would go out again once their leases run
    /// out, so while the database cannot be reached (a restart, say) this keeps trying for as
    /// long as a lease lasts; the lease token fences every try.
    private func recordSent(_ jobs: [Job]) async throws -> Set<Int64> {
        let deadline = ContinuousClock.now + settings.lease
        var delay = Duration.milliseconds(200)
        while true {
            do {
                return try await queue.complete(jobs)
            } catch let error as PostgresError where error.isConnectionFailure && ContinuousClock.now < deadline {
                logger.warning("sends not recorded yet; trying again", metadata: ["jobs": "\(jobs.count)", "error": "\(error)"])
                try await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
    }

    /// Sends one job; true if it went out (its completion is recorded by the caller), false
    /// if it failed or waits for its provider (recorded here).
    private func deliver(_ job: Job, with provider: any NotificationProvider, breaker: CircuitBreaker) async throws -> Bool {
        guard breaker.allow() || breaker.current == .halfOpen(probing: true) else {
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
            if !failure.permanent { breaker.recordFailure() }
            failed.increment()
            var final = job
            if failure.permanent { final.attempts = final.maxAttempts }
            _ = try await queue.fail(final, error: failure.description)
            logger.warning("notification not sent", metadata: [
                "job.id": "\(job.id)", "channel": "\(job.channel.rawValue)", "attempt": "\(job.attempts)", "error": "\(failure.description)",
            ])
            return false
        }
    }
}
