import Common
import Foundation
import Hummingbird
import Logging
import Metrics
import NIOCore

/// `POST /webhooks/shopify`: verifies the signature on the raw bytes, stores the delivery
/// durably, and only then answers 200. No business work happens here.
struct ShopifyWebhookController: Sendable {
    static let maxBodyBytes = 5 * 1024 * 1024

    let signature: ShopifySignature
    let webhooks: WebhookDeliveryWriter
    let logger: Logger
    let notStoredInTime = Counter(label: "webhooks_not_stored_in_time_total")

    func addRoutes(to router: Router<BasicRequestContext>) {
        router.post("/webhooks/shopify") { request, _ in
            try await receive(request)
        }
    }

    func receive(_ request: Request) async throws -> Response {
        let arrivedAt = ContinuousClock.now
        if let length = request.headers[.contentLength].flatMap(Int.init), length > Self.maxBodyBytes {
            throw HTTPError(.contentTooLarge, message: "body larger than 5 MiB")
        }
        var request = request
        let body = try await request.collectBody(upTo: Self.maxBodyBytes)
        guard let mac = request.headers[ShopifyWebhookHeaders.hmac],
            signature.isValid(body: body.readableBytesView, header: mac)
        else {
            throw HTTPError(.unauthorized, message: "missing or invalid X-Shopify-Hmac-Sha256")
        }
        let headers = try ShopifyWebhookHeaders(request.headers)
        let payload = Data(buffer: body, byteTransferStrategy: .noCopy)
        guard JSONObjectCheck.isObject(payload) else {
            throw HTTPError(.badRequest, message: "body is not a JSON object")
        }
        let stored: Bool
        do {
            stored = try await webhooks.store(ReceivedWebhook(headers: headers, payload: payload), arrivedAt: arrivedAt)
        } catch let error where error is AnswerDeadline.Exceeded || error is WebhookDeliveryWriter.Overloaded {
            // Overloaded or stalled: answered before Shopify gives up, which sends it again.
            notStoredInTime.increment()
            logger.warning("webhook not stored in time", metadata: [LogKey.webhookId: "\(headers.webhookId)", LogKey.error: "\(error)"])
            throw HTTPError(.serviceUnavailable, message: "delivery could not be stored in time; retry later")
        } catch {
            // Not stored, so not acknowledged: Shopify sends it again.
            logger.error("webhook not stored", metadata: [LogKey.webhookId: "\(headers.webhookId)", LogKey.error: "\(error)"])
            throw HTTPError(.serviceUnavailable, message: "delivery could not be stored; retry later")
        }
        logger.info(
            stored ? "webhook stored" : "webhook already stored",
            metadata: [LogKey.webhookId: "\(headers.webhookId)", LogKey.webhookTopic: "\(headers.topic)", LogKey.shopDomain: "\(headers.shopDomain)"]
        )
        return Response(
            status: .ok,
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: stored ? #"{"status":"stored"}"# : #"{"status":"duplicate"}"#))
        )
    }
}
