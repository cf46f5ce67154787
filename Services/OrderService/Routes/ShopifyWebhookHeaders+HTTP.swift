import HTTPTypes
import Hummingbird

extension ShopifyWebhookHeaders {
    static let hmac = HTTPField.Name("X-Shopify-Hmac-Sha256")!
    static let topicName = HTTPField.Name("X-Shopify-Topic")!
    static let shopDomainName = HTTPField.Name("X-Shopify-Shop-Domain")!
    static let webhookIdName = HTTPField.Name("X-Shopify-Webhook-Id")!
    static let eventIdName = HTTPField.Name("X-Shopify-Event-Id")!
    static let triggeredAtName = HTTPField.Name("X-Shopify-Triggered-At")!
    static let apiVersionName = HTTPField.Name("X-Shopify-API-Version")!

    /// The headers, or a 400 naming the first one missing or empty.
    init(_ fields: HTTPFields) throws {
        func required(_ name: HTTPField.Name) throws -> String {
            // HTTP strips surrounding white space from field values; control characters are refused.
            guard let value = fields[name], !value.isEmpty, value.utf8.count <= 255,
                value.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x7F })
            else {
                throw HTTPError(.badRequest, message: "missing or invalid header \(name.rawName)")
            }
            return value
        }
        topic = try required(Self.topicName)
        shopDomain = try required(Self.shopDomainName)
        webhookId = try required(Self.webhookIdName)
        eventId = try required(Self.eventIdName)
        triggeredAt = try required(Self.triggeredAtName)
        apiVersion = try required(Self.apiVersionName)
    }
}
