import Common
import Logging
import ServiceLifecycle

/// The loop of a worker that claims work in batches from the database: runs `pass` until
/// graceful shutdown, again at once while it finds a full batch, after `interval` when it
/// finds less, and after a pause when it fails that grows with each failure in a row (with
/// jitter, so replicas that failed together do not come back together), up to 5 s.
public struct BatchPoller: Sendable {
    let batchSize: Int
    let interval: Duration
    let logger: Logger
    let failure: Logger.Message

    public init(batchSize: Int, interval: Duration, logger: Logger, failure: Logger.Message) {
        self.batchSize = batchSize
        self.interval = interval
        self.logger = logger
        self.failure = failure
    }

    static let failureBackoff = RetryPolicy(base: .milliseconds(500), cap: .seconds(5))

    /// `pass` returns how many items it claimed.
    public func run(isolation: isolated (any Actor)? = #isolation, _ pass: () async throws -> Int) async {
        var failures = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            var claimed = 0
            do {
                claimed = try await pass()
                failures = 0
            } catch {
                failures += 1
                logger.warning(failure, metadata: [LogKey.error: "\(error)", LogKey.attempt: "\(failures)"])
                let pause = Self.failureBackoff.delay(attempt: failures)
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
            }
            if claimed < batchSize {
                try? await cancelWhenGracefulShutdown { [interval] in try await Task.sleep(for: interval) }
            }
        }
    }
}
