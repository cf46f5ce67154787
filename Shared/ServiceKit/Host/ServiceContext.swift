import Logging
import Messaging
import Postgres

/// The connections and settings a service's routes and handlers work with.
public struct ServiceContext: Sendable {
    public let definition: ServiceDefinition
    public let configuration: ServiceConfiguration
    public let pool: PostgresPool
    public let publisher: AMQPPublisher
    public let amqpSettings: AMQPSettings
    public let logger: Logger
}
