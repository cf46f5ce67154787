/// One stock level as the API shows it. `hubId` is always present: null for non-hub stock.
struct StockLevelView: Codable, Sendable, Equatable {
    var sku: String
    var vendorId: String
    var hubId: String?
    var quantity: Int

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(sku, forKey: .sku)
        try container.encode(vendorId, forKey: .vendorId)
        try container.encode(hubId, forKey: .hubId)
        try container.encode(quantity, forKey: .quantity)
    }
}
