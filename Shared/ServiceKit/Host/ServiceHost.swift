import Common
import Foundation
import Hummingbird
import Logging
import Messaging
import Postgres
import ServiceLifecycle

/// Builds a service the same way for all four: connections, migrations, the outbox relay, the
/// queue consumer and the HTTP server with health and metrics, in one service group.
public enum ServiceHost {
    /// Opens the pool, applies migrations (waiting for the database for up to
    /// `startupTimeout`), and prepares the publisher.
    public static func prepare(
        _ definition: ServiceDefinition,
        configuration: ServiceConfiguration,
        startupTimeout: Duration = .seconds(60)
    ) async throws -> ServiceContext {
        let logger = Observability.bootstrap(serviceName: definition.name, level: configuration.logLevel)
        let pool = PostgresPool(
            settings: PostgresSettings(
                url: configuration.databaseURL,
                applicationName: definition.name,
                searchPath: definition.schema,
                maxConnections: configuration.databasePoolSize
            ),
            logger: logger
        )
        var amqp = try AMQPSettings(url: configuration.amqpURL)
        amqp.queueType = configuration.amqpQueueType
        let runner = MigrationRunner(pool: pool, logger: logger)
        let deadline = ContinuousClock.now + startupTimeout
        while true {
            do {
                try await runner.apply(try sharedMigrations(), source: "shared")
                try await runner.apply(definition.migrations, source: "service")
                break
            } catch let error as PostgresError where error.isConnectionFailure && ContinuousClock.now < deadline {
                logger.warning("database not reachable yet; retrying", metadata: [LogKey.error: "\(error)"])
                try await Task.sleep(for: .seconds(1))
            }
        }
        let publisher = AMQPPublisher(settings: amqp, logger: logger, consumerQueues: definition.service.consumersQueues)
        return ServiceContext(
            definition: definition,
            configuration: configuration,
            pool: pool,
            publisher: publisher,
            amqpSettings: amqp,
            logger: logger
        )
    }

    /// A router with the endpoints every service has; the service adds its own.
    public static func router(_ context: ServiceContext) -> Router<BasicRequestContext> {
        let router = Router()
        router.middlewares.add(MetricsMiddleware())
        HealthController(
            readiness: ReadinessCheck(pool: context.pool, publisher: context.publisher, components: context.readiness),
            registry: Observability.registry
        ).addRoutes(to: router)
        let admin = adminGroup(router, context)
        OutboxController(pool: context.pool).addRoutes(to: admin)
        if let queue = context.definition.queue {
            DeadLetterController(queue: DeadLetterQueue(topology: queue, settings: context.amqpSettings), pool: context.pool)
                .addRoutes(to: admin)
        }
        return router
    }

    /// The `/admin` routes, behind the admin token.
    public static func adminGroup(_ router: Router<BasicRequestContext>, _ context: ServiceContext) -> RouterGroup<BasicRequestContext> {
        router.group("admin").add(middleware: AdminAuthMiddleware(token: context.configuration.adminToken))
    }

    /// The whole service: HTTP last, so on SIGTERM it stops taking requests first; then the
    /// consumer finishes its message in hand, the relay its batch, and connections close.
    public static func application(
        _ context: ServiceContext,
        router: Router<BasicRequestContext>,
        dispatch: EventDispatch? = nil,
        batching: AMQPConsumer.Batching? = nil,
        relaySettings: OutboxRelay.Settings = .init(),
        services extra: [any Service] = []
    ) -> some ApplicationProtocol {
        var services: [any Service] = [
            PostgresPoolService(context.pool),
            PublisherService(publisher: context.publisher),
            OutboxRelay(pool: context.pool, publisher: context.publisher, settings: relaySettings, logger: context.logger),
            QueueDepthMonitor(settings: context.amqpSettings, topology: context.definition.queue, logger: context.logger),
        ]
        // The service's own workers stop before the relay, so what they wrote is still published.
        services.append(contentsOf: extra)
        if let queue = context.definition.queue, let dispatch {
            precondition(dispatch.service == context.definition.service, "\(dispatch.service) handlers given to \(context.definition.name)")
            let health = context.consumerHealth
            context.readiness.register("consumer") { health.problem }
            services.append(
                AMQPConsumer(
                    settings: context.amqpSettings,
                    topology: queue,
                    concurrency: context.configuration.consumerConcurrency,
                    logger: context.logger,
                    batching: batching,
                    outage: databaseOutage(context.pool),
                    health: health,
                    handler: dispatch.handle
                )
            )
        }
        return Application(
            router: router,
            configuration: .init(
                address: .hostname(context.configuration.host, port: context.configuration.port),
                serverName: context.definition.name
            ),
            services: services,
            logger: context.logger
        )
    }

    /// A database that cannot be reached, or a pool with no connection to spare, is an outage
    /// a consumer waits out (holding its message) rather than a failure of the message.
    static func databaseOutage(_ pool: PostgresPool) -> DependencyOutage {
        DependencyOutage(
            isOutage: { ($0 as? PostgresError)?.isTemporary == true },
            isBack: {
                await within(.seconds(3)) { (try? await pool.query("SELECT 1 AS ok").scalar("ok", as: Int.self)) == 1 }
            }
        )
    }

    /// The outbox table every service has (and the unused inbox table of 0001, kept until no replica of an older version runs).
    public static func sharedMigrations() throws -> [Migration] {
        try Migration.load(in: .module)
    }
}
