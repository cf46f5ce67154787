import Messaging
import Postgres

/// What makes one service different from the others, as far as its runtime is concerned.
public struct ServiceDefinition: Sendable {
    public var name: String
    /// The Postgres schema the service owns (also its connections' search_path).
    public var schema: String
    public var defaultPort: Int
    /// The service's own migrations, applied after the shared outbox/inbox tables.
    public var migrations: [Migration]
    /// The queue the service consumes, with the routing keys it binds; nil consumes nothing.
    public var queue: QueueTopology?

    public init(name: String, schema: String, defaultPort: Int, migrations: [Migration], queue: QueueTopology?) {
        self.name = name
        self.schema = schema
        self.defaultPort = defaultPort
        self.migrations = migrations
        self.queue = queue
    }
}
