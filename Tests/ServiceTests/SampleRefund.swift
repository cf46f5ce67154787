import Foundation
import TestSupport

/// Shopify's sample refund (refunds/create) for one order, with its own id, lines and money,
/// as raw bytes.
struct SampleRefund {
    var id: Int64 = Int64.random(in: 1_000_000_000_000_000...9_000_000_000_000_000_000)
    var orderId: Int64
    /// (line id, quantity, restock type) per refunded line.
    var lines: [(lineItemId: Int64, quantity: Int, restockType: String)]
    /// The money given back, in one refund transaction ("0.00": none).
    var amount: String
    /// The transaction's status: "success", or "pending" while the payment provider works.
    var status = "success"

    /// The refund as refunds/create carries it.
    func object() throws -> [String: Any] {
        var json = try JSONSerialization.jsonObject(with: Fixtures.data("shopify/refunds-create.json")) as! [String: Any]
        json["id"] = id
        json["order_id"] = orderId
        let template = (json["refund_line_items"] as! [[String: Any]])[0]
        json["refund_line_items"] = lines.enumerated().map { index, line in
            var entry = template
            entry["id"] = id + Int64(index) + 1
            entry["line_item_id"] = line.lineItemId
            entry["quantity"] = line.quantity
            entry["restock_type"] = line.restockType
            return entry
        }
        var transaction = (json["transactions"] as! [[String: Any]])[0]
        transaction["order_id"] = orderId
        transaction["amount"] = amount
        transaction["status"] = status
        json["transactions"] = [transaction]
        return json
    }

    func body() throws -> Data { try JSONSerialization.data(withJSONObject: try object()) }
}
