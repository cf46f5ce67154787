import ServiceKit

/// An order could not be allocated (no stock anywhere for some line); nothing was reserved.
struct OrderAllocationFailed: IntegrationEvent {
    static let route = EventRoute.orderAllocationFailed

    var orderId: String
    var shopifyOrderId: String
    var shopDomain: String
    var name: String?
    var customerEmail: String?
    var reason: String
}
