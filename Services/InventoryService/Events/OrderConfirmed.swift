import ServiceKit

/// The part of OrderService's `order.confirmed` this service reads. Declared here, not shared
/// with OrderService: each service owns its reading of another's events, so extra fields
/// there never break it here.
struct OrderConfirmed: IntegrationEvent {
    static let route = EventRoute.orderConfirmed

    var orderId: String
    var shopifyOrderId: String
    var shopDomain: String
    var shippingPoint: GeoPoint?
    var billingPoint: GeoPoint?
    var items: [Item]

    struct Item: Codable, Sendable {
        var lineItemId: String
        var variantId: String?
        var sku: String?
        var quantity: Int
    }
}
