import Foundation
import TestSupport

/// The Shopify sample order with its own id, time and payment details, as raw bytes.
struct SampleOrder {
    var shopifyOrderId: Int64 = Int64.random(in: 1_000_000_000_000_000...9_000_000_000_000_000_000)
    var updatedAt = "2021-12-31T19:00:00-05:00"
    var financialStatus = "paid"
    var gateway = "visa"

    func body() throws -> Data {
        var text = String(decoding: try Fixtures.data("shopify/orders-create.json"), as: UTF8.self)
        text = text.replacingOccurrences(of: #""id": 820982911946154508"#, with: #""id": \#(shopifyOrderId)"#)
        text = text.replacingOccurrences(of: #""updated_at": "2021-12-31T19:00:00-05:00""#, with: #""updated_at": "\#(updatedAt)""#)
        text = text.replacingOccurrences(of: #""financial_status": "voided""#, with: #""financial_status": "\#(financialStatus)""#)
        text = text.replacingOccurrences(of: #""visa""#, with: #""\#(gateway)""#)
        let outstanding = financialStatus == "paid" ? "0.00" : "388.00"
        text = text.replacingOccurrences(of: #""total_outstanding": "398.00""#, with: #""total_outstanding": "\#(outstanding)""#)
        return Data(text.utf8)
    }
}
