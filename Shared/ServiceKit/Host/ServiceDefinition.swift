import Messaging
import Postgres

/// What makes one service different from the others, as far as its runtime is concerned.
public struct ServiceDefinition: Sendable {
    public var service: ServiceName
    public var name: String { service.rawValue }
    /// The Postgres schema the service owns (also its connections' search_path).
    public var schema: String
    public var defaultPort: Int
    /// The service's own migrations, applied after the shared outbox table.
    public var migrations: [Migration]
    /// The queue the service consumes, bound to the routing keys `EventRoute` gives it; nil
    /// consumes nothing.
    public var queue: QueueTopology?

    public init(service: ServiceName, schema: String, defaultPort: Int, migrations: [Migration]) {
        self.service = service
        self.schema = schema
        self.defaultPort = defaultPort
        self.migrations = migrations
        self.queue = service.queue
    }
}
