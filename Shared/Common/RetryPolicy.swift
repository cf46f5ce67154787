/// When something that failed is tried again: exponential backoff from `base`, doubling with
/// each attempt up to `cap`, with jitter so that what failed together does not retry together
/// (AWS's architecture blog, "Exponential Backoff And Jitter"). Every retry in the project
/// (transactions, reconnections, outbox rows, webhook deliveries, jobs, tracking checks) takes
/// its delay from one of these; how many attempts are allowed stays with each caller.
public struct RetryPolicy: Sendable, Equatable {
    public enum Jitter: Sendable, Equatable {
        /// Exactly the bound: for one loop reconnecting on its own, where nothing herds.
        case none
        /// In [bound/2, bound]: half fixed so that a retry never comes straight back, half
        /// random so that retries spread out.
        case half
        /// In [0, bound]: the widest spread, for short contention pauses.
        case full
    }

    public var base: Duration
    public var cap: Duration
    public var jitter: Jitter

    public init(base: Duration, cap: Duration, jitter: Jitter = .half) {
        self.base = base
        self.cap = cap
        self.jitter = jitter
    }

    /// The upper bound before the `attempt`-th retry (attempt 1 is the first retry):
    /// base × 2^(attempt−1), at most `cap`.
    public func bound(attempt: Int) -> Duration {
        let exponent = min(max(attempt - 1, 0), 40)
        let seconds = min(base.seconds * Double(UInt64(1) << exponent), cap.seconds)
        return .nanoseconds(Int64(seconds * 1e9))
    }

    /// The pause before the `attempt`-th retry; `random` in [0, 1] places it within the jitter.
    public func delay(attempt: Int, random: Double = Double.random(in: 0...1)) -> Duration {
        let bound = bound(attempt: attempt)
        let random = min(max(random, 0), 1)
        switch jitter {
        case .none: return bound
        case .half: return bound / 2 + bound / 2 * random
        case .full: return bound * random
        }
    }
}

extension RetryPolicy {
    /// A transaction that lost a serialization conflict or a deadlock: a few milliseconds,
    /// never none (the other transaction needs a moment to commit).
    public static let transactionConflict = RetryPolicy(base: .milliseconds(10), cap: .milliseconds(160))
    /// A connection to PostgreSQL or RabbitMQ that was lost: back within seconds once it is up.
    public static let reconnect = RetryPolicy(base: .milliseconds(200), cap: .seconds(5), jitter: .none)
}

extension Duration {
    /// The duration in seconds, as SQL intervals take it (`now() + $1 * interval '1 second'`).
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

extension RetryPolicy {
    /// What a failed attempt leads to: the last one (the work is given up on and recorded as
    /// failed), or a retry after `delay`.
    public struct Outcome: Sendable, Equatable {
        public var isFinal: Bool
        public var delay: Duration

        public init(isFinal: Bool, delay: Duration) {
            self.isFinal = isFinal
            self.delay = delay
        }
    }

    /// After the `attempt`-th attempt failed (1 for the first), of at most `maxAttempts`;
    /// `permanent` when the failure can never pass.
    public func after(failedAttempt attempt: Int, of maxAttempts: Int, permanent: Bool = false) -> Outcome {
        Outcome(isFinal: permanent || attempt >= maxAttempts, delay: delay(attempt: attempt))
    }
}
