import AsyncHTTPClient
import Foundation
import NIOCore

/// Asks Shiprocket's API whether a shipment was delivered: `POST /auth/login` for a token
/// (kept, and renewed when refused), then `GET /courier/track/awb/{awb}`.
actor ShiprocketTracking {
    struct Settings: Sendable {
        /// e.g. https://apiv2.shiprocket.in/v1/external
        var baseURL: String
        var email: String
        var password: String
        /// First wait before asking again about an unconfirmed delivery; doubles each time.
        var retryInterval: Duration
    }

    enum Answer: Equatable, Sendable {
        case delivered
        case notDelivered(String)
    }

    struct TrackingError: Error, CustomStringConvertible {
        let description: String
    }

    let settings: Settings
    private var token: String?

    init(settings: Settings) {
        self.settings = settings
    }

    /// `srOrderId`, when known, is Shiprocket's order id for the seller order: an answer about
    /// another order does not confirm this one.
    func isDelivered(awb: String, srOrderId: String? = nil) async throws -> Answer {
        var renewed = false
        while true {
            let token = try await currentToken()
            var request = HTTPClientRequest(
                url: settings.baseURL + "/courier/track/awb/" + awb.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed)!
            )
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            let body = try await response.body.collect(upTo: 1 << 20)
            if response.status == .unauthorized, !renewed {
                self.token = nil
                renewed = true
                continue
            }
            guard response.status == .ok else { throw TrackingError(description: "tracking answered \(response.status.code)") }
            return Self.read(Data(buffer: body), awb: awb, srOrderId: srOrderId)
        }
    }

    /// Delivered when the tracking data is about this shipment and says so: its track names
    /// the AWB asked about (and Shiprocket's order id for the seller order, when known), and
    /// its `shipment_status` maps to delivered or that track's `current_status` is Delivered.
    static func read(_ body: Data, awb: String, srOrderId: String? = nil) -> Answer {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
            let tracking = object["tracking_data"] as? [String: Any]
        else { return .notDelivered("no tracking_data") }
        let tracks = tracking["shipment_track"] as? [[String: Any]] ?? []
        guard let track = tracks.first(where: { text($0["awb_code"]) == awb }) else {
            return .notDelivered("tracking does not name AWB \(awb)")
        }
        if let srOrderId, let named = text(track["order_id"]), named != srOrderId {
            return .notDelivered("tracking names Shiprocket order \(named), not \(srOrderId)")
        }
        let code = (tracking["shipment_status"] as? Int) ?? (tracking["shipment_status"] as? String).flatMap { Int($0) }
        if let code, ShiprocketStatusMap.status(forCode: code) == .delivered { return .delivered }
        let current = track["current_status"] as? String
        if current?.lowercased() == "delivered" { return .delivered }
        return .notDelivered("tracking says \(current ?? code.map { "status \($0)" } ?? "nothing")")
    }

    /// A JSON value Shiprocket sends as a string or as a number, as text.
    private static func text(_ value: Any?) -> String? {
        switch value {
        case let string as String: string
        case let number as NSNumber: number.stringValue
        default: nil
        }
    }

    private func currentToken() async throws -> String {
        if let token { return token }
        var request = HTTPClientRequest(url: settings.baseURL + "/auth/login")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        let credentials = try JSONSerialization.data(withJSONObject: ["email": settings.email, "password": settings.password])
        request.body = .bytes(ByteBuffer(bytes: credentials))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok,
            let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any],
            let token = object["token"] as? String
        else { throw TrackingError(description: "Shiprocket login answered \(response.status.code)") }
        self.token = token
        return token
    }
}
