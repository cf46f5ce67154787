import Messaging
import Postgres
import Synchronization

/// Whether the service can do its work: its database and its broker both answer, each within
/// `timeout` (a probe must not hang on a saturated pool or a silent peer), and every part it
/// registered (its consumer, its circuit breakers) says it can.
public struct ReadinessCheck: Sendable {
    let pool: PostgresPool
    let publisher: AMQPPublisher
    let components: ReadinessComponents
    let timeout: Duration

    public init(
        pool: PostgresPool,
        publisher: AMQPPublisher,
        components: ReadinessComponents = ReadinessComponents(),
        timeout: Duration = .seconds(3)
    ) {
        self.pool = pool
        self.publisher = publisher
        self.components = components
        self.timeout = timeout
    }

    public struct Report: Sendable {
        public var postgres: Bool
        public var rabbitmq: Bool
        /// Each registered part: nil when it can work, else why not.
        public var components: [(name: String, problem: String?)] = []
        public var ready: Bool { postgres && rabbitmq && components.allSatisfy { $0.problem == nil } }

        /// Why the service is not ready, one reason per failing part.
        public var reasons: [String] {
            (postgres ? [] : ["postgres: not answering"]) + (rabbitmq ? [] : ["rabbitmq: not answering"])
                + components.compactMap { part in part.problem.map { "\(part.name): \($0)" } }
        }
    }

    public func run() async -> Report {
        async let postgres = within(timeout) { [pool] in
            (try? await pool.query("SELECT 1 AS ok").scalar("ok", as: Int.self)) == 1
        }
        async let rabbitmq = within(timeout) { [publisher] in await publisher.checkHealth() }
        return await Report(postgres: postgres, rabbitmq: rabbitmq, components: components.run())
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
