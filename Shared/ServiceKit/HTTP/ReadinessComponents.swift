import Synchronization

/// The parts of a service beyond its database and broker that readiness asks (its consumer,
/// a notification channel's circuit breaker): each answers nil when it can do its work, or
/// why it cannot. Parts register as they are built, before the service takes requests.
public final class ReadinessComponents: Sendable {
    public typealias Check = @Sendable () -> String?

    private let checks = Mutex<[(name: String, check: Check)]>([])

    public init() {}

    public func register(_ name: String, _ check: @escaping Check) {
        checks.withLock { $0.append((name, check)) }
    }

    /// Each part's name with nil (fine) or its reason, in registration order.
    public func run() -> [(name: String, problem: String?)] {
        checks.withLock { $0 }.map { ($0.name, $0.check()) }
    }
}
