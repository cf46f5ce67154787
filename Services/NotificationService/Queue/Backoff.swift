/// When a failed job is tried again: exponential backoff with "full jitter" (a random delay
/// between zero and the exponential bound, as AWS's architecture blog recommends, so that
/// jobs failing together do not retry together), capped.
struct Backoff: Sendable, Equatable {
    var base: Duration = .seconds(1)
    var cap: Duration = .seconds(600)

    /// The upper bound before the `attempt`-th retry (attempt 1 is the first retry):
    /// base × 2^(attempt−1), at most `cap`.
    func bound(attempt: Int) -> Duration {
        let exponent = min(max(attempt - 1, 0), 40)
        let seconds = min(Double(base.components.seconds) + Double(base.components.attoseconds) / 1e18, 1e12)
        let capSeconds = Double(cap.components.seconds) + Double(cap.components.attoseconds) / 1e18
        return .milliseconds(Int64(min(seconds * Double(1 << exponent), capSeconds) * 1000))
    }

    /// A delay in [bound/2, bound]: half fixed so that a retry never comes straight back,
    /// half random so that retries spread out.
    func delay(attempt: Int, random: Double = Double.random(in: 0...1)) -> Duration {
        let bound = bound(attempt: attempt)
        return bound / 2 + bound / 2 * min(max(random, 0), 1)
    }
}
