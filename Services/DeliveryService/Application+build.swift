import Common
import Hummingbird
import ServiceKit
import ServiceLifecycle

/// The whole service, as `main` runs it and as tests build it.
func buildApplication(_ configuration: DeliveryServiceConfiguration) async throws -> some ApplicationProtocol {
    let context = try await ServiceHost.prepare(.deliveryService, configuration: configuration.service)
    if configuration.shiprocketWebhookToken == nil {
        context.logger.warning("SHIPROCKET_WEBHOOK_TOKEN is empty: every Shiprocket webhook will be refused (401)")
    }
    let deliveries = DeliveryRepository(pool: context.pool)
    let router = ServiceHost.router(context)
    let webhooks = ShiprocketWebhookRepository(pool: context.pool)
    ShiprocketWebhookController(token: configuration.shiprocketWebhookToken, webhooks: webhooks, logger: context.logger)
        .addRoutes(to: router)
    DeliveryController(deliveries: deliveries).addRoutes(to: router)
    let admin = ServiceHost.adminGroup(router, context)
    ShiprocketAdminController(webhooks: webhooks).addRoutes(to: admin)
    SettlementAdminController(settlements: UnconfirmedSettlements(pool: context.pool), confirms: configuration.tracking != nil)
        .addRoutes(to: admin)
    let consumer = DeliveryCreationConsumer(pool: context.pool, deliveries: deliveries, logger: context.logger)
    let cancellations = DeliveryCancellationConsumer(pool: context.pool, deliveries: deliveries, logger: context.logger)
    let collections = DeliveryCollectionConsumer(pool: context.pool, deliveries: deliveries, logger: context.logger)
    var workers: [any Service] = [
        ShiprocketProcessor(pool: context.pool, confirmsDeliveries: configuration.tracking != nil, logger: context.logger)
    ]
    if let settings = configuration.tracking {
        workers.append(SettlementConfirmer(pool: context.pool, tracking: ShiprocketTracking(settings: settings), logger: context.logger))
        context.logger.info("COD settlement waits for Shiprocket's tracking API", metadata: [LogKey.url: "\(settings.baseURL)"])
    }
    return ServiceHost.application(
        context,
        router: router,
        dispatch: try EventDispatch(
            .deliveryService,
            [
                .orderAllocated: consumer.create, .sellerOrderCancelled: cancellations.cancel,
                .sellerOrderCollectionChanged: collections.change,
            ]
        ),
        batching: .init(maxBatch: DeliveryCreationConsumer.maxBatch, eventType: OrderAllocated.routingKey) {
            try await consumer.handle(batch: $0)
        },
        services: workers
    )
}
