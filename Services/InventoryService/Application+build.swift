import Hummingbird
import ServiceKit

/// The whole service, as `main` runs it and as tests build it.
func buildApplication(_ configuration: InventoryServiceConfiguration) async throws -> some ApplicationProtocol {
    let context = try await ServiceHost.prepare(.inventoryService, configuration: configuration.service)
    let router = ServiceHost.router(context)
    let admin = ServiceHost.adminGroup(router, context)
    CatalogController(catalog: CatalogRepository(pool: context.pool), logger: context.logger).addRoutes(to: admin)
    StockController(stock: StockRepository(pool: context.pool)).addRoutes(to: router, admin: admin)
    let consumer = AllocationConsumer(pool: context.pool, logger: context.logger)
    return ServiceHost.application(
        context,
        router: router,
        dispatch: try EventDispatch(
            .inventoryService,
            [
                .orderConfirmed: consumer.allocate, .orderCancelled: consumer.release, .orderRefunded: consumer.restock,
                .orderEdited: consumer.restockEdit, .orderLinesAdded: consumer.allocateAdditions,
                .sellerOrderDeliveredAfterCancel: consumer.keepDelivered,
            ]
        ),
        batching: .init(maxBatch: AllocationConsumer.maxBatch, eventType: OrderConfirmed.routingKey) {
            try await consumer.handle(batch: $0)
        }
    )
}
