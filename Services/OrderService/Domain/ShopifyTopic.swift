/// The webhook topics OrderService processes; others are stored and acknowledged only.
enum ShopifyTopic: String, Sendable, CaseIterable {
    case ordersCreate = "orders/create"
    case ordersUpdated = "orders/updated"
    case ordersPaid = "orders/paid"
    case ordersCancelled = "orders/cancelled"

    static func isHandled(_ topic: String) -> Bool { ShopifyTopic(rawValue: topic) != nil }
}
