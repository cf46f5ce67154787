import Hummingbird

/// `GET /deliveries?splitOrderId=…` or `?awb=…`.
struct DeliveryController: Sendable {
    let deliveries: DeliveryRepository

    func addRoutes(to router: Router<BasicRequestContext>) {
        router.get("/deliveries") { request, _ -> DeliveryList in
            let splitOrderId = request.uri.queryParameters["splitOrderId"].map(String.init)
            let awb = request.uri.queryParameters["awb"].map(String.init)
            guard splitOrderId != nil || awb != nil else {
                throw HTTPError(.badRequest, message: "give splitOrderId or awb")
            }
            return DeliveryList(deliveries: try await deliveries.list(splitOrderId: splitOrderId, awb: awb))
        }
    }
}
