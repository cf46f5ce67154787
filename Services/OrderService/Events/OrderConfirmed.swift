import ServiceKit

/// An order exists and is confirmed: InventoryService allocates it, NotificationService
/// tells the customer. Ids are strings: Shopify's exceed 2^53 and JSON numbers may not hold
/// them exactly.
struct OrderConfirmed: IntegrationEvent {
    static let route = EventRoute.orderConfirmed

    var orderId: String
    var shopifyOrderId: String
    var shopDomain: String
    var name: String?
    var currency: String
    var customer: CustomerContact
    var shippingPoint: Point?
    var billingPoint: Point?
    var items: [Item]
    var payment: Payment

    struct Point: Codable, Sendable {
        var latitude: Double
        var longitude: Double
    }

    /// An order line, as every order event carries it.
    struct Item: Codable, Sendable {
        var lineItemId: String
        var variantId: String?
        var sku: String
        var title: String?
        var quantity: Int
        var price: String
    }

    /// The payment's state, as every order event carries it.
    struct Payment: Codable, Sendable {
        var method: String
        var status: String
        var totalAmount: String
        var collectedAmount: String
        var remainingAmount: String
    }
}
