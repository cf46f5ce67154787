import ServiceKit

/// The part of OrderService's `order.edited` this service reads: units an edit removed go back
/// to the stock they were taken from, once per revision.
struct OrderEdited: IntegrationEvent {
    static let route = EventRoute.orderEdited

    var orderId: String
    var shopifyOrderId: String
    var shopDomain: String
    var revision: String
    var released: [Line]

    struct Line: Codable, Sendable, Equatable {
        var lineItemId: String
        var quantity: Int
        /// Set for a line an edit added: restocking it waits for that edit's allocation.
        var addedRevision: String?
    }
}
