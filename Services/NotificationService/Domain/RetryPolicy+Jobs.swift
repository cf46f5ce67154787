import Common

extension RetryPolicy {
    /// A notification job that failed: from a second (`NOTIFICATION_BACKOFF_BASE_MS`) up to ten
    /// minutes, half-jittered so that jobs failing together do not retry together.
    static let jobs = RetryPolicy(base: .seconds(1), cap: .seconds(600))
}
