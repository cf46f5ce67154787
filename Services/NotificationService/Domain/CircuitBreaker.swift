import Foundation
import Synchronization

/// Stops calling a provider that keeps failing: after `threshold` failures in a row it opens
/// for `openFor`, refusing calls (jobs wait instead of burning attempts); then one probe is let
/// through (half-open): success closes it, failure opens it again.
final class CircuitBreaker: Sendable {
    enum State: Equatable, Sendable {
        case closed(failures: Int)
        case open(until: ContinuousClock.Instant)
        case halfOpen(probing: Bool)
    }

    let threshold: Int
    let openFor: Duration
    private let state: Mutex<State>

    init(threshold: Int = 5, openFor: Duration = .seconds(30)) {
        self.threshold = max(1, threshold)
        self.openFor = openFor
        self.state = Mutex(.closed(failures: 0))
    }

    var current: State { state.withLock { $0 } }

    /// Whether a call may go ahead now. In half-open state only one caller (the probe) may.
    func allow(now: ContinuousClock.Instant = .now) -> Bool {
        state.withLock { state in
            switch state {
            case .closed:
                return true
            case .open(let until):
                guard now >= until else { return false }
                state = .halfOpen(probing: true)
                return true
            case .halfOpen(let probing):
                if probing { return false }
                state = .halfOpen(probing: true)
                return true
            }
        }
    }

    func recordSuccess() {
        state.withLock { $0 = .closed(failures: 0) }
    }

    func recordFailure(now: ContinuousClock.Instant = .now) {
        state.withLock { state in
            switch state {
            case .closed(let failures):
                state = failures + 1 >= threshold ? .open(until: now + openFor) : .closed(failures: failures + 1)
            case .open, .halfOpen:
                state = .open(until: now + openFor)
            }
        }
    }
}
