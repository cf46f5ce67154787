import ServiceKit

/// The part of OrderService's `order.allocated` this service reads: a delivery per seller order.
struct OrderAllocated: IntegrationEvent {
    static let route = EventRoute.orderAllocated

    var orderId: String
    var shopifyOrderId: String
    var shopDomain: String
    var currency: String
    var payment: Payment
    var sellerOrders: [SellerOrder]

    struct Payment: Codable, Sendable {
        var method: String
    }

    struct SellerOrder: Codable, Sendable {
        var splitOrderId: String
        var vendorId: String
        var hubId: String?
        var collectAmount: String
    }
}
