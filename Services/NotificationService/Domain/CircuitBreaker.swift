import Common
import Foundation
import Synchronization

/// Stops calling a provider that keeps failing: after `threshold` failures in a row it opens
/// for `openFor`, refusing calls (jobs wait instead of burning attempts); then one probe is let
/// through (half-open): success closes it, failure opens it again. Any answer from the
/// provider, a permanent refusal included, counts as it being up; a probe that ends without
/// an outcome (its job could not be claimed or recorded) opens the circuit again, so it is
/// never left half-open.
final class CircuitBreaker: Sendable {
    enum State: Equatable, Sendable {
        case closed(failures: Int)
        case open(until: ContinuousClock.Instant)
        case halfOpen(probing: Bool)

        /// For the state gauge: 0 closed, 1 half-open, 2 open.
        var level: Int {
            switch self {
            case .closed: 0
            case .halfOpen: 1
            case .open: 2
            }
        }
    }

    let threshold: Int
    let openFor: Duration
    private let state: Mutex<State>
    private let onChange: @Sendable (State) -> Void

    init(threshold: Int = 5, openFor: Duration = .seconds(30), onChange: @escaping @Sendable (State) -> Void = { _ in }) {
        self.threshold = max(1, threshold)
        self.openFor = openFor
        self.state = Mutex(.closed(failures: 0))
        self.onChange = onChange
    }

    var current: State { state.withLock { $0 } }

    /// Why calls are not going through, or nil while the circuit is closed.
    func problem(now: ContinuousClock.Instant = .now) -> String? {
        switch current {
        case .closed: nil
        case .halfOpen: "circuit half-open: a probe is on its way"
        case .open(let until):
            "circuit open: the provider kept failing; next probe in \(max(0, Int((until - now).seconds.rounded(.up)))) s"
        }
    }

    /// Whether a call may go ahead now. In half-open state only one caller (the probe) may.
    func allow(now: ContinuousClock.Instant = .now) -> Bool {
        change { state in
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

    /// The provider answered: a success, or a refusal that says the call itself is wrong (an
    /// unknown device token, a rejected address), not that the provider is down.
    func recordSuccess() {
        change { $0 = .closed(failures: 0) }
    }

    func recordFailure(now: ContinuousClock.Instant = .now) {
        change { state in
            switch state {
            case .closed(let failures):
                state = failures + 1 >= threshold ? .open(until: now + openFor) : .closed(failures: failures + 1)
            case .open, .halfOpen:
                state = .open(until: now + openFor)
            }
        }
    }

    /// A probe that ended without an answer from the provider: open again, to probe later.
    func abandonProbe(now: ContinuousClock.Instant = .now) {
        change { state in
            if case .halfOpen = state { state = .open(until: now + openFor) }
        }
    }

    /// Runs `body` on the state and reports a change of level under the same lock, so that
    /// reports arrive in the order the changes were made.
    private func change<T: Sendable>(_ body: (inout State) -> T) -> T {
        state.withLock { state in
            let before = state.level
            let value = body(&state)
            if before != state.level { onChange(state) }
            return value
        }
    }
}
