import AsyncHTTPClient
import Foundation
import NIOCore

@testable import OrderService

/// Sends signed deliveries to a running OrderService, as Shopify does.
struct ShopifyClient {
    var base: String
    var secret: String
    var shop = "test-shop.myshopify.com"

    struct Answer {
        var status: UInt
        var body: String
    }

    func deliver(_ body: Data, topic: String = "orders/create", webhookId: String = UUID().uuidString, eventId: String? = nil) async throws -> Answer {
        var request = HTTPClientRequest(url: base + "/webhooks/shopify")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "X-Shopify-Topic", value: topic)
        request.headers.add(name: "X-Shopify-Hmac-Sha256", value: ShopifySignature.sign(body, secret: secret))
        request.headers.add(name: "X-Shopify-Shop-Domain", value: shop)
        request.headers.add(name: "X-Shopify-Webhook-Id", value: webhookId)
        request.headers.add(name: "X-Shopify-Event-Id", value: eventId ?? "event-\(webhookId)")
        request.headers.add(name: "X-Shopify-Triggered-At", value: "2026-11-23T10:00:00.000Z")
        request.headers.add(name: "X-Shopify-API-Version", value: "2024-10")
        request.body = .bytes(ByteBuffer(data: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let text = try await response.body.collect(upTo: 1 << 20)
        return Answer(status: response.status.code, body: String(buffer: text))
    }

    func order(_ shopifyOrderId: Int64) async throws -> (status: UInt, view: OrderView?) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: base + "/orders/\(shopifyOrderId)"), timeout: .seconds(10))
        let text = try await response.body.collect(upTo: 1 << 20)
        let view = response.status == .ok ? try JSONDecoder().decode(OrderView.self, from: Data(buffer: text)) : nil
        return (response.status.code, view)
    }
}
