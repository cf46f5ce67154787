import ServiceKit

/// The part of OrderService's `order.lines_added` this service reads: lines an edit added to
/// an order already allocated, to allocate by the same rules, all or none.
struct OrderLinesAdded: IntegrationEvent {
    static let route = EventRoute.orderLinesAdded

    var orderId: String
    var shopifyOrderId: String
    var shopDomain: String
    var revision: String
    var shippingPoint: GeoPoint?
    var billingPoint: GeoPoint?
    var items: [OrderConfirmed.Item]

    /// The added lines as an allocation input reads an order.
    var asConfirmed: OrderConfirmed {
        OrderConfirmed(
            orderId: orderId,
            shopifyOrderId: shopifyOrderId,
            shopDomain: shopDomain,
            shippingPoint: shippingPoint,
            billingPoint: billingPoint,
            items: items
        )
    }
}
