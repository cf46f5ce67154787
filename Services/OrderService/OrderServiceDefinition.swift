import Foundation
import Messaging
import ServiceKit

extension ServiceDefinition {
    static let ordersService = ServiceDefinition(
        name: "OrderService", schema: "orders", defaultPort: 8081,
        migrations: ServiceMain.migrations(in: .module),
        queue: QueueTopology(queue: "order-service", bindings: AllocationResultConsumer.bindings + [SellerOrderDelivered.routingKey]))
}
