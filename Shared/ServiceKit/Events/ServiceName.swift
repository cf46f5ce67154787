import Messaging

/// The four services, by the name each runs under (logs, the AMQP connection name, the
/// HTTP server name) and by which the table of events says who consumes what.
public enum ServiceName: String, Sendable, CaseIterable {
    case orderService = "OrderService"
    case inventoryService = "InventoryService"
    case deliveryService = "DeliveryService"
    case notificationService = "NotificationService"

    /// The queue the service consumes from.
    public var queueName: String {
        switch self {
        case .orderService: "order-service"
        case .inventoryService: "inventory-service"
        case .deliveryService: "delivery-service"
        case .notificationService: "notification-service"
        }
    }

    /// The service's queue, bound to the routing keys `EventRoute` gives it; nil if it
    /// consumes nothing.
    public var queue: QueueTopology? {
        let keys = EventRoute.consumed(by: self).map(\.routingKey)
        return keys.isEmpty ? nil : QueueTopology(queue: queueName, bindings: keys)
    }

    /// The queues of the services that consume any event this one publishes.
    public var consumersQueues: [QueueTopology] {
        let consumers = Set(EventRoute.allCases.filter { $0.publisher == self }.flatMap(\.consumers))
        return ServiceName.allCases.filter(consumers.contains).compactMap(\.queue)
    }
}
