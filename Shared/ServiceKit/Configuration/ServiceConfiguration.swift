import Logging

/// What every service reads from the environment (docs/configuration.md). Built once at start-up;
/// nothing else reads the environment.
public struct ServiceConfiguration: Sendable {
    public var serviceName: String
    public var databaseURL: String
    public var amqpURL: String
    public var host: String
    public var port: Int
    public var logLevel: Logger.Level
    /// Bearer token for admin endpoints; without one they answer 401 to everyone.
    public var adminToken: String?
    public var databasePoolSize: Int
    /// Parallel consumers of the service's queue.
    public var consumerConcurrency: Int
    /// "quorum" to declare replicated quorum queues on a RabbitMQ cluster, "classic", or nil
    /// for the vhost's default queue type.
    public var amqpQueueType: String?

    public init(
        serviceName: String,
        databaseURL: String,
        amqpURL: String,
        host: String = "0.0.0.0",
        port: Int,
        logLevel: Logger.Level = .info,
        adminToken: String? = nil,
        databasePoolSize: Int = 10,
        consumerConcurrency: Int = 4
    ) {
        self.serviceName = serviceName
        self.databaseURL = databaseURL
        self.amqpURL = amqpURL
        self.host = host
        self.port = port
        self.logLevel = logLevel
        self.adminToken = adminToken
        self.databasePoolSize = databasePoolSize
        self.consumerConcurrency = consumerConcurrency
    }

    public init(serviceName: String, defaultPort: Int, environment env: Environment) throws {
        self.init(
            serviceName: serviceName,
            databaseURL: try env.required("DATABASE_URL"),
            amqpURL: try env.required("AMQP_URL"),
            host: env["HOST"] ?? "0.0.0.0",
            port: try env.integer("PORT", default: defaultPort, in: 0...65535),  // 0: any free port
            logLevel: try env.logLevel("LOG_LEVEL", default: .info),
            adminToken: env["ADMIN_TOKEN"].flatMap { $0.isEmpty ? nil : $0 },
            databasePoolSize: try env.integer("DATABASE_POOL_SIZE", default: 10, in: 1...200),
            consumerConcurrency: try env.integer("CONSUMER_CONCURRENCY", default: 4, in: 1...64)
        )
        if let type = env["AMQP_QUEUE_TYPE"], !type.isEmpty {
            guard ["classic", "quorum"].contains(type) else {
                throw ConfigurationError("AMQP_QUEUE_TYPE must be classic or quorum, not \(type)")
            }
            amqpQueueType = type
        }
    }
}
