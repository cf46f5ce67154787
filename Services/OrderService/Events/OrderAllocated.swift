import ServiceKit

/// An order was split into seller orders, one per vendor: DeliveryService creates their
/// deliveries, NotificationService tells the vendors and the customer.
struct OrderAllocated: IntegrationEvent {
    static let route = EventRoute.orderAllocated

    var orderId: String
    var shopifyOrderId: String
    var shopDomain: String
    var name: String?
    var currency: String
    var customer: CustomerContact
    var payment: OrderConfirmed.Payment
    var sellerOrders: [SellerOrder]

    struct SellerOrder: Codable, Sendable {
        var splitOrderId: String
        var vendorId: String
        var vendorName: String
        var vendorEmail: String
        var hubId: String?
        var flow: String
        var itemsAmount: String
        /// What the courier collects on delivery ("0.00" when prepaid).
        var collectAmount: String
        var items: [OrderConfirmed.Item]
    }
}
