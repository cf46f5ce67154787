import Foundation
import TestSupport

/// The Shopify sample order with its own id, time and payment details, as raw bytes.
struct SampleOrder {
    var shopifyOrderId: Int64 = Int64.random(in: 1_000_000_000_000_000...9_000_000_000_000_000_000)
    var updatedAt = "2021-12-31T19:00:00-05:00"
    var financialStatus = "paid"
    var gateway = "visa"
    /// The two line items' SKUs (the fixture's are both IPOD2008PINK).
    var skus = ["IPOD2008PINK", "IPOD2008PINK"]
    /// The shipping address's coordinates (null in the fixture).
    var shippingPoint: (latitude: Double, longitude: Double)?

    /// The sample's line ids: the first and the second line.
    static let lineItemIds: [Int64] = [866_550_311_766_439_020, 141_249_953_214_522_974]

    /// The body with top-level fields replaced (an `NSNull()` value sets null).
    func body(with changes: [String: Any]) throws -> Data {
        var json = try JSONSerialization.jsonObject(with: try body()) as! [String: Any]
        for (key, value) in changes { json[key] = value }
        return try JSONSerialization.data(withJSONObject: json)
    }

    func body() throws -> Data {
        var text = String(decoding: try Fixtures.data("shopify/orders-create.json"), as: UTF8.self)
        text = text.replacingOccurrences(of: #""id": 820982911946154508"#, with: #""id": \#(shopifyOrderId)"#)
        text = text.replacingOccurrences(of: #""updated_at": "2021-12-31T19:00:00-05:00""#, with: #""updated_at": "\#(updatedAt)""#)
        // Shopify's sample is a cancelled order; a cancellation here is a test's own change.
        text = text.replacingOccurrences(of: #""cancelled_at": "2021-12-31T19:00:00-05:00""#, with: #""cancelled_at": null"#)
        text = text.replacingOccurrences(of: #""financial_status": "voided""#, with: #""financial_status": "\#(financialStatus)""#)
        text = text.replacingOccurrences(of: #""visa""#, with: #""\#(gateway)""#)
        let outstanding = financialStatus == "paid" ? "0.00" : "388.00"
        // Shopify's sample states a total of 388.00 but a current total of 398.00; one figure here.
        text = text.replacingOccurrences(of: #""current_total_price": "398.00""#, with: #""current_total_price": "388.00""#)
        text = text.replacingOccurrences(of: #""total_outstanding": "398.00""#, with: #""total_outstanding": "\#(outstanding)""#)
        var searchFrom = text.startIndex
        for sku in skus {
            guard let found = text.range(of: #""sku": "IPOD2008PINK""#, range: searchFrom..<text.endIndex) else { break }
            let offset = text.distance(from: text.startIndex, to: found.lowerBound)
            text.replaceSubrange(found, with: #""sku": "\#(sku)""#)
            searchFrom = text.index(text.startIndex, offsetBy: offset + 1)
        }
        if let point = shippingPoint, let shipping = text.range(of: #""shipping_address""#) {
            let rest = shipping.upperBound..<text.endIndex
            text = text.replacingOccurrences(
                of: #""latitude": null"#,
                with: #""latitude": \#(point.latitude)"#,
                range: text.range(of: #""latitude": null"#, range: rest)
            )
            text = text.replacingOccurrences(
                of: #""longitude": null"#,
                with: #""longitude": \#(point.longitude)"#,
                range: text.range(of: #""longitude": null"#, range: rest)
            )
        }
        return Data(text.utf8)
    }
}
