import Hummingbird
import ServiceKit

/// The whole service, as `main` runs it and as tests build it.
func buildApplication(_ configuration: OrderServiceConfiguration) async throws -> some ApplicationProtocol {
    let context = try await ServiceHost.prepare(.ordersService, configuration: configuration.service)
    if configuration.shopifyWebhookSecrets.isEmpty {
        context.logger.warning("SHOPIFY_WEBHOOK_SECRETS is empty: every Shopify webhook will be refused (401)")
    }
    let webhooks = WebhookDeliveryRepository(pool: context.pool)
    let router = ServiceHost.router(context)
    ShopifyWebhookController(
        signature: ShopifySignature(secrets: configuration.shopifyWebhookSecrets),
        webhooks: WebhookDeliveryWriter(repository: webhooks, logger: context.logger),
        logger: context.logger
    ).addRoutes(to: router)
    WebhookAdminController(webhooks: webhooks).addRoutes(to: ServiceHost.adminGroup(router, context))
    OrderController(orders: OrderViewRepository(pool: context.pool)).addRoutes(to: router)
    let allocations = AllocationResultConsumer(pool: context.pool, logger: context.logger)
    let settlements = SettlementConsumer(pool: context.pool, logger: context.logger)
    return ServiceHost.application(
        context,
        router: router,
        dispatch: try EventDispatch(
            .orderService,
            [
                .inventoryAllocated: allocations.split, .inventoryAllocationFailed: allocations.markFailed,
                .deliveryDelivered: settlements.settle,
            ]
        ),
        batching: .init(maxBatch: AllocationResultConsumer.maxBatch, eventType: InventoryAllocated.routingKey) {
            try await allocations.handle(batch: $0)
        },
        services: [
            WebhookProcessor(
                pool: context.pool,
                settings: .init(workers: configuration.webhookWorkers),
                logger: context.logger
            )
        ]
    )
}
