import Foundation
import Messaging
import ServiceKit

extension ServiceDefinition {
    static let deliveryService = ServiceDefinition(
        name: "DeliveryService", schema: "delivery", defaultPort: 8083,
        migrations: ServiceMain.migrations(in: .module),
        queue: QueueTopology(queue: "delivery-service", bindings: AllocatedOrderConsumer.bindings))
}
