import Foundation

/// What this service reads from a Shiprocket status webhook. Shiprocket's captures disagree on
/// types (`awb` a string or a number, ids as numbers or strings), so every field is read
/// leniently, and nothing beyond these fields is needed.
struct ShiprocketWebhook: Decodable, Sendable {
    var awb: String?
    var orderId: String?
    var srOrderId: String?
    var shipmentStatusId: Int?
    var shipmentStatus: String?
    /// `current_timestamp` as sent: "DD MM YYYY HH:mm:ss", India time.
    var timestampText: String?

    enum CodingKeys: String, CodingKey {
        case awb
        case orderId = "order_id"
        case srOrderId = "sr_order_id"
        case shipmentStatusId = "shipment_status_id"
        case shipmentStatus = "shipment_status"
        case timestampText = "current_timestamp"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func text(_ key: CodingKeys) -> String? {
            let value: String? =
                if let string = try? container.decode(String.self, forKey: key) {
                    string
                } else if let number = try? container.decode(Int64.self, forKey: key) { String(number) } else { nil }
            guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
            return value
        }
        awb = text(.awb)
        orderId = text(.orderId)
        srOrderId = text(.srOrderId)
        shipmentStatusId = text(.shipmentStatusId).flatMap { Int($0) }
        shipmentStatus = text(.shipmentStatus)
        timestampText = text(.timestampText)
    }

    static func parse(_ body: Data) -> ShiprocketWebhook? {
        guard let object = try? JSONSerialization.jsonObject(with: body), object is [String: Any] else { return nil }
        return try? JSONDecoder().decode(ShiprocketWebhook.self, from: body)
    }

    /// The internal status its code maps to, or nil for a code the mapping does not know.
    var mappedStatus: DeliveryStatus? { shipmentStatusId.flatMap(ShiprocketStatusMap.status(forCode:)) }

    /// `current_timestamp` as a time (Shiprocket sends India time, UTC+05:30).
    var eventAt: Date? {
        guard let text = timestampText else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 19_800)
        for format in ["dd MM yyyy HH:mm:ss", "yyyy-MM-dd HH:mm:ss"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }

    /// Identifies one status event, since Shiprocket sends no delivery id: the shipment (AWB,
    /// else Shiprocket's or the channel's order id), the status code and Shiprocket's time.
    /// Nil when the body names no shipment at all.
    var deduplicationKey: String? {
        guard let shipment = awb.map({ "awb:\($0)" }) ?? srOrderId.map({ "sr:\($0)" }) ?? orderId.map({ "order:\($0)" }) else {
            return nil
        }
        return "\(shipment)|\(shipmentStatusId.map(String.init) ?? "?")|\(timestampText ?? "?")"
    }
}
