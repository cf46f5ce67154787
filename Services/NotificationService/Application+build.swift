import Hummingbird
import ServiceKit
import ServiceLifecycle

/// The whole service, as `main` runs it and as tests build it.
func buildApplication(_ configuration: NotificationServiceConfiguration) async throws -> some ApplicationProtocol {
    let context = try await ServiceHost.prepare(.notificationService, configuration: configuration.service)
    let queue = JobQueue(pool: context.pool, backoff: configuration.backoff, maxAttempts: configuration.maxAttempts)
    let router = ServiceHost.router(context)
    let admin = ServiceHost.adminGroup(router, context)
    DeviceController(pool: context.pool).addRoutes(
        to: router.group("devices").add(middleware: AdminAuthMiddleware(token: configuration.service.adminToken))
    )
    NotificationController(queue: queue).addRoutes(to: router, admin: admin)

    var providers: [any NotificationProvider] = []
    if let url = configuration.pushURL {
        providers.append(PushProvider(url: url, token: configuration.pushToken, concurrency: configuration.pushConcurrency))
    } else {
        context.logger.warning("PUSH_URL is not set: push jobs are created but wait until a push provider is configured")
    }
    if let smtp = configuration.smtp {
        providers.append(SMTPProvider(settings: smtp, connections: configuration.smtpConnections))
    } else {
        context.logger.warning("SMTP_URL is not set: email jobs are created but wait until an SMTP server is configured")
    }
    let worker = NotificationWorker(queue: queue, providers: providers, settings: configuration.worker, logger: context.logger)
    for (channel, breaker) in worker.breakers.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
        context.readiness.register("\(channel.rawValue) provider") { breaker.problem() }
    }
    let consumer = NotificationPlanningConsumer(pool: context.pool, queue: queue, logger: context.logger)
    return ServiceHost.application(
        context,
        router: router,
        dispatch: try EventDispatch(
            .notificationService,
            [
                .orderConfirmed: consumer.handle, .orderAllocated: consumer.handle, .orderAllocationFailed: consumer.handle,
                .deliveryStatusChanged: consumer.handle, .orderDelivered: consumer.handle, .sellerOrderCancelled: consumer.handle,
                .sellerOrderCollectionChanged: consumer.handle, .sellerOrderChanged: consumer.handle,
            ]
        ),
        batching: .init(maxBatch: NotificationPlanningConsumer.maxBatch) { try await consumer.handle(batch: $0) },
        services: [worker]
    )
}
