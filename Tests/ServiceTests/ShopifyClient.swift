import Foundation
import TestSupport

@testable import OrderService

/// Sends signed deliveries to a running OrderService, as Shopify does.
struct ShopifyClient {
    var base: String
    var secret: String
    var shop = "test-shop.myshopify.com"

    func deliver(
        _ body: Data,
        topic: String = "orders/create",
        webhookId: String = UUID().uuidString,
        eventId: String? = nil
    ) async throws -> HTTPResult {
        try await HTTPTest.post(
            base + "/webhooks/shopify",
            body: body,
            headers: [
                "Content-Type": "application/json",
                "X-Shopify-Topic": topic,
                "X-Shopify-Hmac-Sha256": ShopifySignature.sign(body, secret: secret),
                "X-Shopify-Shop-Domain": shop,
                "X-Shopify-Webhook-Id": webhookId,
                "X-Shopify-Event-Id": eventId ?? "event-\(webhookId)",
                "X-Shopify-Triggered-At": "2026-11-23T10:00:00.000Z",
                "X-Shopify-API-Version": "2024-10",
            ]
        )
    }

    func order(_ shopifyOrderId: Int64) async throws -> (status: UInt, view: OrderView?) {
        let answer = try await HTTPTest.get(base + "/orders/\(shopifyOrderId)")
        let view = answer.status == 200 ? try JSONDecoder().decode(OrderView.self, from: Data(answer.body.utf8)) : nil
        return (answer.status, view)
    }
}
