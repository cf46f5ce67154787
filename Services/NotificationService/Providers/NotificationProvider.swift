/// Sends one rendered message on one channel.
protocol NotificationProvider: Sendable {
    var channel: Job.Channel { get }
    /// Throws `ProviderFailure`: `permanent` when trying again cannot help (a rejected
    /// address, an unregistered device), else the attempt is retried later.
    func send(_ message: [String: String]) async throws
    /// Releases what the provider holds (threads, connections) when the service stops.
    func shutdown() async
}

extension NotificationProvider {
    func shutdown() async {}
}

struct ProviderFailure: Error, CustomStringConvertible {
    var permanent: Bool
    var description: String

    static func transient(_ description: String) -> ProviderFailure { .init(permanent: false, description: description) }
    static func permanent(_ description: String) -> ProviderFailure { .init(permanent: true, description: description) }
}
