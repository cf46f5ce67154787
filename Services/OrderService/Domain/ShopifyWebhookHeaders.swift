/// The headers Shopify sends with every delivery (names are case-insensitive), as stored
/// with it.
struct ShopifyWebhookHeaders: Sendable {
    var topic: String
    var shopDomain: String
    var webhookId: String
    var eventId: String
    var triggeredAt: String
    var apiVersion: String

    init(topic: String, shopDomain: String, webhookId: String, eventId: String, triggeredAt: String, apiVersion: String) {
        self.topic = topic
        self.shopDomain = shopDomain
        self.webhookId = webhookId
        self.eventId = eventId
        self.triggeredAt = triggeredAt
        self.apiVersion = apiVersion
    }
}
