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
    /// What readiness asks beyond the database and the broker; parts register as they are built.
    public let readiness = ReadinessComponents()
    public let consumerHealth = ConsumerHealth()
}
