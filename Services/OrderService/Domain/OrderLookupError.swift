/// Why `GET /orders/{id}` finds no one order.
enum OrderLookupError: Error, Sendable, Equatable {
    case notFound(Int64)
    /// Two shops have an order with this Shopify id; the request must name the shop.
    case inSeveralShops(Int64)
}
