/// Sends one rendered message on one channel.
protocol NotificationProvider: Sendable {
    var channel: Job.Channel { get }
    /// Sends it can have in flight at once (its connections): a crash can repeat at most this
    /// many, since each is recorded as soon as it is accepted.
    var concurrency: Int { get }
    /// The longest one send can take (its timeout, connecting included): a job is sent only
    /// while that much of its lease is left, so that no other worker can claim it meanwhile.
    var maxSendTime: Duration { get }
    /// Throws `ProviderFailure`: `permanent` when trying again cannot help (a rejected
    /// address, an unregistered device), else the attempt is retried later.
    func send(_ message: [String: String]) async throws
    /// Releases what the provider holds (threads, connections) when the service stops.
    func shutdown() async
}

extension NotificationProvider {
    var concurrency: Int { 1 }
    var maxSendTime: Duration { .zero }
    func shutdown() async {}
}

struct ProviderFailure: Error, CustomStringConvertible {
    var permanent: Bool
    var description: String

    static func transient(_ description: String) -> ProviderFailure { .init(permanent: false, description: description) }
    static func permanent(_ description: String) -> ProviderFailure { .init(permanent: true, description: description) }
}
