import ServiceKit

/// The parts of OrderService's and DeliveryService's events this service reads. Declared
/// here: each service owns its reading of another's events.
struct ConfirmedOrder: IntegrationEvent {
    static let routingKey = "order.confirmed"
    var orderId: String
    var shopifyOrderId: String
    var name: String?
    var currency: String
    var customer: Customer
    var payment: Payment
}

struct AllocatedOrder: IntegrationEvent {
    static let routingKey = "order.allocated"
    var orderId: String
    var shopifyOrderId: String
    var name: String?
    var currency: String
    var sellerOrders: [SellerOrder]

    struct SellerOrder: Codable, Sendable {
        var splitOrderId: String
        var vendorId: String
        var vendorName: String
        var vendorEmail: String
        var hubId: String?
        var flow: String
        var collectAmount: String
        var items: [Item]
    }

    struct Item: Codable, Sendable {
        var sku: String
        var title: String?
        var quantity: Int
    }
}

struct DeliveredOrder: IntegrationEvent {
    static let routingKey = "order.delivered"
    var orderId: String
    var shopifyOrderId: String
    var name: String?
    var currency: String?
    var customer: Customer
    var payment: Payment
}

/// OrderService's `order.allocation_failed`: no stock could take the whole order.
struct UnfulfillableOrder: IntegrationEvent {
    static let routingKey = "order.allocation_failed"
    var orderId: String
    var shopifyOrderId: String
    var name: String?
    var customerEmail: String?
}

struct DeliveryStatusChanged: IntegrationEvent {
    static let routingKey = "delivery.status_changed"
    var splitOrderId: String
    var orderId: String
    var shopifyOrderId: String
    var status: String
}

struct Customer: Codable, Sendable {
    var email: String?
    var firstName: String?
    var lastName: String?

    var displayName: String {
        let name = [firstName, lastName].compactMap { $0 }.joined(separator: " ")
        return name.isEmpty ? "customer" : name
    }
}

struct Payment: Codable, Sendable {
    var method: String
    var totalAmount: String
}
