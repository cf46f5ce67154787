/// The four services, by the name each runs under (logs, the AMQP connection name, the
/// HTTP server name) and by which the table of events says who consumes what.
public enum ServiceName: String, Sendable, CaseIterable {
    case orderService = "OrderService"
    case inventoryService = "InventoryService"
    case deliveryService = "DeliveryService"
    case notificationService = "NotificationService"
}
