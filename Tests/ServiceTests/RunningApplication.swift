import Hummingbird
import Logging
import ServiceLifecycle
import TestSupport

/// Runs `app` in a service group that listens to no signals (other tests in this process send
/// SIGTERM to themselves), for the duration of `body`, then shuts it down gracefully.
func withRunningApplication<App: ApplicationProtocol, Value: Sendable>(
    _ app: App,
    _ body: () async throws -> Value
) async throws -> Value {
    let group = ServiceGroup(configuration: .init(services: [app], logger: testLogger))
    let running = Task { try await group.run() }
    do {
        let value = try await body()
        await group.triggerGracefulShutdown()
        try await running.value
        return value
    } catch {
        await group.triggerGracefulShutdown()
        _ = try? await running.value
        throw error
    }
}

/// The HTTP status of a GET, or nil if the server did not answer.
func statusOf(_ url: String) async -> UInt? {
    try? await HTTPTest.get(url).status
}
