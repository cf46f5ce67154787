/// The webhook topics OrderService processes; others are stored and acknowledged only.
enum ShopifyTopic: String, Sendable, CaseIterable {
    case ordersCreate = "orders/create"
    case ordersUpdated = "orders/updated"
    case ordersPaid = "orders/paid"
    case ordersCancelled = "orders/cancelled"
    /// The one topic whose payload is not an order but a refund of one.
    case refundsCreate = "refunds/create"

    static func isHandled(_ topic: String) -> Bool { ShopifyTopic(rawValue: topic) != nil }
}
