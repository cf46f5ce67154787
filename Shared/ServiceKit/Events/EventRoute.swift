/// Every integration event, by its routing key, with the service that publishes it and the
/// services that consume it: the one table of who listens to what. Each service's queue
/// bindings and its dispatch of consumed messages are built from it, and the contract tests
/// check every row, so a consumer cannot be added or forgotten in one place only.
public enum EventRoute: String, Sendable, CaseIterable {
    case orderConfirmed = "order.confirmed"
    case orderCancelled = "order.cancelled"
    case inventoryAllocated = "inventory.allocated"
    case inventoryAllocationFailed = "inventory.allocation_failed"
    case orderAllocated = "order.allocated"
    case orderAllocationFailed = "order.allocation_failed"
    case deliveryStatusChanged = "delivery.status_changed"
    case deliveryDelivered = "delivery.delivered"
    case orderDelivered = "order.delivered"
    case sellerOrderCancelled = "seller_order.cancelled"
    case sellerOrderCollectionChanged = "seller_order.collection_changed"
    case orderRefunded = "order.refunded"
    case orderEdited = "order.edited"
    case orderLinesAdded = "order.lines_added"
    case sellerOrderChanged = "seller_order.changed"
    case sellerOrderDeliveredAfterCancel = "seller_order.delivered_after_cancel"

    public var routingKey: String { rawValue }

    public var publisher: ServiceName {
        switch self {
        case .orderConfirmed, .orderCancelled, .orderAllocated, .orderAllocationFailed, .orderDelivered, .sellerOrderCancelled,
            .sellerOrderCollectionChanged, .orderRefunded, .orderEdited, .orderLinesAdded,
            .sellerOrderChanged, .sellerOrderDeliveredAfterCancel:
            .orderService
        case .inventoryAllocated, .inventoryAllocationFailed: .inventoryService
        case .deliveryStatusChanged, .deliveryDelivered: .deliveryService
        }
    }

    public var consumers: [ServiceName] {
        switch self {
        case .orderConfirmed: [.inventoryService, .notificationService]
        case .orderCancelled: [.inventoryService]
        case .inventoryAllocated, .inventoryAllocationFailed: [.orderService]
        case .orderAllocated: [.deliveryService, .notificationService]
        case .orderAllocationFailed: [.notificationService]
        case .deliveryStatusChanged: [.notificationService]
        case .deliveryDelivered: [.orderService]
        case .orderDelivered: [.notificationService]
        case .sellerOrderCancelled, .sellerOrderCollectionChanged: [.deliveryService, .notificationService]
        case .orderRefunded, .orderEdited, .orderLinesAdded, .sellerOrderDeliveredAfterCancel: [.inventoryService]
        case .sellerOrderChanged: [.notificationService]
        }
    }

    /// The events a service consumes, in the table's order.
    public static func consumed(by service: ServiceName) -> [EventRoute] {
        allCases.filter { $0.consumers.contains(service) }
    }
}
