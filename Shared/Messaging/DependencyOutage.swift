import Common

/// How a consumer tells a dependency that is down (its database, a pool with no connection to
/// spare) from a message that fails on its own, and how it sees the dependency back.
///
/// A message whose handler failed because of an outage uses up none of its attempts: the
/// worker keeps it in hand (unacknowledged, so a crash gives it back to the queue), takes no
/// other message, waits with backoff until `isBack` answers true, and runs the handler again.
/// Attempts and the dead-letter queue stay for messages that fail while everything is up.
public struct DependencyOutage: Sendable {
    public var isOutage: @Sendable (any Error) -> Bool
    public var isBack: @Sendable () async -> Bool
    /// The pauses between looks at the dependency.
    public var backoff: RetryPolicy

    public init(
        backoff: RetryPolicy = RetryPolicy(base: .milliseconds(250), cap: .seconds(5)),
        isOutage: @escaping @Sendable (any Error) -> Bool,
        isBack: @escaping @Sendable () async -> Bool
    ) {
        self.isOutage = isOutage
        self.isBack = isBack
        self.backoff = backoff
    }
}
