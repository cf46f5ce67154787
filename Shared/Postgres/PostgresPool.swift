import Common
import Logging
import NIOPosix

/// A pool of libpq connections.
///
/// libpq blocks, so every call runs on the pool's own threads (one per connection), never on
/// Swift concurrency's cooperative threads. A connection that the server dropped (restart,
/// idle kill) is noticed when it is next taken from the pool and replaced, so callers see at
/// most the one failure that was in flight when the server went away.
public final class PostgresPool: Sendable {
    let settings: PostgresSettings
    let logger: Logger
    private let threads: NIOThreadPool
    private let slots: PostgresPoolSlots

    public init(settings: PostgresSettings, logger: Logger) {
        self.settings = settings
        self.logger = logger
        threads = NIOThreadPool(numberOfThreads: max(1, settings.maxConnections))
        threads.start()
        slots = PostgresPoolSlots(capacity: max(1, settings.maxConnections), acquireTimeout: settings.acquireTimeout)
    }

    /// Leases one connection for the duration of `body`.
    public func withConnection<Result: Sendable>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresLease) async throws -> Result
    ) async throws -> Result {
        let connection = try await acquire()
        let result: Result
        do {
            result = try await body(PostgresLease(connection: connection, pool: self))
        } catch {
            // Cancelled, the body may have left a transaction open (the ROLLBACK is skipped like
            // any other call): such a connection is closed, never handed to the next caller.
            let broken = (error as? PostgresError)?.isConnectionFailure == true || Task.isCancelled
            await release(connection, broken: broken)
            throw error
        }
        await release(connection, broken: false)
        return result
    }

    /// Runs one statement on any connection.
    public func query(_ query: PostgresQuery) async throws -> PostgresResult {
        try await withConnection { try await $0.query(query) }
    }

    /// Closes every idle connection and refuses new leases; leased ones close on return.
    public func close() async {
        let idle = await slots.close()
        for connection in idle {
            _ = try? await threads.runIfActive { connection.close() }
        }
        try? await threads.shutdownGracefully()
    }

    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        do {
            return try await threads.runIfActive(body)
        } catch is NIOThreadPoolError.ThreadPoolInactive {
            throw PostgresError(kind: .usage, message: "the pool is closed")
        }
    }

    private func acquire() async throws -> PostgresConnection {
        let grant = try await slots.acquire()
        let settings = self.settings
        do {
            return try await run {
                if case .connection(let connection) = grant, connection.isAlive { return connection }
                if case .connection(let stale) = grant { stale.close() }
                return try PostgresConnection(settings: settings)
            }
        } catch {
            await slots.release(nil)
            logger.warning("postgres connect failed", metadata: [LogKey.error: "\(error)"])
            throw error
        }
    }

    private func release(_ connection: PostgresConnection, broken: Bool) async {
        if broken {
            _ = try? await run { connection.close() }
            await slots.release(nil)
        } else if await slots.release(connection) == false {
            _ = try? await run { connection.close() }
        }
    }
}
