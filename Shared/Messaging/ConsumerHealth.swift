import Synchronization

/// What each worker of a consumer is doing, for readiness: a service whose consumer is not
/// consuming is not ready, whatever its database and broker answer.
public final class ConsumerHealth: Sendable {
    public enum State: Sendable, Equatable {
        case starting
        case consuming
        /// Its connection to the broker was lost or refused; it reconnects by itself.
        case reconnecting(reason: String)
        /// It holds a message whose handler met an outage, and waits for the dependency.
        case waitingForDependency(reason: String)
    }

    private let states = Mutex<[Int: State]>([:])

    public init() {}

    func set(_ state: State, worker: Int) {
        states.withLock { $0[worker] = state }
    }

    public var workers: [Int: State] { states.withLock { $0 } }

    /// Why the consumer is not consuming (its first worker that is not), or nil when every
    /// worker consumes. A consumer with no worker yet is starting.
    public var problem: String? {
        let workers = self.workers
        guard !workers.isEmpty else { return "consumer starting" }
        for index in workers.keys.sorted() {
            switch workers[index]! {
            case .consuming: continue
            case .starting: return "consumer worker \(index) starting"
            case .reconnecting(let reason): return "consumer worker \(index) reconnecting to the broker: \(reason)"
            case .waitingForDependency(let reason): return "consumer worker \(index) waiting out an outage: \(reason)"
            }
        }
        return nil
    }
}
