import ServiceKit

/// The part of OrderService's `order.refunded` this service reads: the units a refund
/// restocks go back to the stock they were taken from.
struct OrderRefunded: IntegrationEvent {
    static let route = EventRoute.orderRefunded

    var orderId: String
    var shopifyOrderId: String
    var shopDomain: String
    var refundId: String
    var restocked: [Line]

    struct Line: Codable, Sendable, Equatable {
        var lineItemId: String
        var quantity: Int
        /// Set for a line an edit added: restocking it waits for that edit's allocation.
        var addedRevision: String?
    }
}
