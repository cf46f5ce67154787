import Common
import Logging
import ServiceLifecycle

/// The loop of a worker that claims work in batches from the database: runs `pass` until
/// graceful shutdown, again at once while it finds a full batch, after `interval` when it
/// finds less, and after a short pause when it fails.
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

    /// `pass` returns how many items it claimed.
    public func run(isolation: isolated (any Actor)? = #isolation, _ pass: () async throws -> Int) async {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            var claimed = 0
            do {
                claimed = try await pass()
            } catch {
                logger.warning(failure, metadata: [LogKey.error: "\(error)"])
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(500)) }
            }
            if claimed < batchSize {
                try? await cancelWhenGracefulShutdown { [interval] in try await Task.sleep(for: interval) }
            }
        }
    }
}
