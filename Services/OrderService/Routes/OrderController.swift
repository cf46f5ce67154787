import Hummingbird

/// `GET /orders/{shopifyOrderId}` (optionally `?shop=` when two shops share an id).
struct OrderController: Sendable {
    let orders: OrderViewRepository

    func addRoutes(to router: Router<BasicRequestContext>) {
        router.get("/orders/:shopifyOrderId") { request, context -> OrderView in
            guard let id = context.parameters.get("shopifyOrderId", as: Int64.self) else {
                throw HTTPError(.badRequest, message: "shopifyOrderId must be a number")
            }
            let shop = request.uri.queryParameters["shop"].map(String.init)
            return try await orders.view(shopifyOrderId: id, shop: shop)
        }
    }
}
