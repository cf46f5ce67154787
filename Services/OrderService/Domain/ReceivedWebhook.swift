import Crypto
import Foundation

/// A verified Shopify delivery as received, ready to be stored.
struct ReceivedWebhook: Sendable {
    var headers: ShopifyWebhookHeaders
    /// The body exactly as signed.
    var payload: Data
    var payloadSHA256: Data
    /// `pending` for topics this service processes, `ignored` for the rest (kept for audit).
    var status: WebhookDeliveryStatus

    init(headers: ShopifyWebhookHeaders, payload: Data) {
        self.headers = headers
        self.payload = payload
        self.payloadSHA256 = Data(SHA256.hash(data: payload))
        self.status = ShopifyTopic.isHandled(headers.topic) ? .pending : .ignored
    }
}
