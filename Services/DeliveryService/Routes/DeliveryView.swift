import Foundation
import Hummingbird

/// A delivery as `GET /deliveries` shows it, with every webhook received for it.
struct DeliveryView: Codable, Sendable {
    var splitOrderId: String
    var orderId: String
    var shopifyOrderId: String
    var vendorId: String
    var awb: String?
    var status: String
    var paymentMethod: String
    var collectAmount: String
    var deliveredAt: Date?
    /// `none`, `announced` (settlement sent to OrderService), `awaiting_confirmation` or
    /// `unconfirmed` (Shiprocket's tracking API did not confirm the delivery).
    var settlement: String
    var history: [HistoryEntry]

    struct HistoryEntry: Codable, Sendable {
        var receivedAt: Date
        var shipmentStatusId: Int?
        var shipmentStatus: String?
        var timestamp: String?
        /// The internal status the code maps to; null for an unknown code.
        var mappedStatus: String?
        /// `applied` if it moved the delivery, else `history` (late, repeated or unknown).
        var outcome: String
    }
}

struct DeliveryList: ResponseEncodable, Decodable, Sendable {
    var deliveries: [DeliveryView]
}
