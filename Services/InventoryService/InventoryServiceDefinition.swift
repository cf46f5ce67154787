import Foundation
import Messaging
import ServiceKit

extension ServiceDefinition {
    static let inventoryService = ServiceDefinition(
        name: "InventoryService", schema: "inventory", defaultPort: 8082,
        migrations: ServiceMain.migrations(in: .module),
        queue: QueueTopology(queue: "inventory-service", bindings: OrderEventConsumer.bindings))
}
