import Common
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceKit

/// `POST /webhooks/shiprocket`: checks the static token, stores the webhook as received and
/// answers; matching and status changes happen after, in `ShiprocketProcessor`. `GET` on
/// the same path answers 200, for Shiprocket's probe when the URL is saved.
struct ShiprocketWebhookController: Sendable {
    static let maxBodyBytes = 1024 * 1024
    /// Shiprocket sends its token in either header, depending on the integration.
    static let tokenHeaders = [HTTPField.Name("x-api-key")!, HTTPField.Name("anx-api-key")!]

    let token: String?
    let webhooks: ShiprocketWebhookRepository
    let logger: Logger

    func addRoutes(to router: Router<BasicRequestContext>) {
        router.get("/webhooks/shiprocket") { _, _ in ["status": "ok"] }
        router.post("/webhooks/shiprocket") { request, _ in try await receive(request) }
    }

    func receive(_ request: Request) async throws -> Response {
        let presented = Self.tokenHeaders.compactMap { request.headers[$0] }
        guard let token, presented.contains(where: { constantTimeEqual(Array($0.utf8), Array(token.utf8)) }) else {
            throw HTTPError(.unauthorized, message: "missing or wrong x-api-key")
        }
        var request = request
        let body = Data(buffer: try await request.collectBody(upTo: Self.maxBodyBytes))
        guard let webhook = ShiprocketWebhook.parse(body) else {
            throw HTTPError(.badRequest, message: "body is not a JSON object")
        }
        guard let key = webhook.deduplicationKey else {
            throw HTTPError(.badRequest, message: "body names no shipment (awb, sr_order_id or order_id)")
        }
        let stored: Bool
        do {
            stored = try await webhooks.store(webhook, key: key, payload: body)
        } catch {
            logger.error("shiprocket webhook not stored", metadata: [LogKey.error: "\(error)"])
            throw HTTPError(.serviceUnavailable, message: "webhook could not be stored; retry later")
        }
        if webhook.shipmentStatusId != nil && webhook.mappedStatus == nil {
            logger.warning(
                "unknown Shiprocket status code; stored, kept in the history only",
                metadata: [
                    LogKey.shiprocketStatusId: "\(webhook.shipmentStatusId ?? -1)", LogKey.shiprocketStatus: "\(webhook.shipmentStatus ?? "")",
                ]
            )
        }
        return Response(
            status: .ok,
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: stored ? #"{"status":"stored"}"# : #"{"status":"duplicate"}"#))
        )
    }
}
