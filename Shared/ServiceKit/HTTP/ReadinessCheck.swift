import Messaging
import Postgres
import Synchronization

/// Whether the service can do its work: its database and its broker both answer, each within
/// `timeout` (a probe must not hang on a saturated pool or a silent peer).
public struct ReadinessCheck: Sendable {
    let pool: PostgresPool
    let publisher: AMQPPublisher
    let timeout: Duration

    public init(pool: PostgresPool, publisher: AMQPPublisher, timeout: Duration = .seconds(3)) {
        self.pool = pool
        self.publisher = publisher
        self.timeout = timeout
    }

    public struct Report: Sendable, Codable {
        public var postgres: Bool
        public var rabbitmq: Bool
        public var ready: Bool { postgres && rabbitmq }
    }

    public func run() async -> Report {
        async let postgres = within(timeout) { [pool] in
            (try? await pool.query("SELECT 1 AS ok").scalar("ok", as: Int.self)) == 1
        }
        async let rabbitmq = within(timeout) { [publisher] in await publisher.checkHealth() }
        return await Report(postgres: postgres, rabbitmq: rabbitmq)
    }
}

/// The check's answer, or false if it takes longer than `limit`; a check that hangs is left
/// behind rather than waited for.
func within(_ limit: Duration, _ check: @escaping @Sendable () async -> Bool) async -> Bool {
    let once = Once()
    return await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
        Task {
            let value = await check()
            if once.claim() { continuation.resume(returning: value) }
        }
        Task {
            try? await Task.sleep(for: limit)
            if once.claim() { continuation.resume(returning: false) }
        }
    }
}

/// True for the first caller only.
private final class Once: Sendable {
    private let taken = Mutex(false)

    func claim() -> Bool {
        taken.withLock { taken in
            defer { taken = true }
            return !taken
        }
    }
}
