import Hummingbird

/// `GET /orders/{shopifyOrderId}` as CONTRACT.md describes it. Amounts are decimal strings.
struct OrderView: ResponseEncodable, Decodable, Sendable {
    var shopifyOrderId: String
    var shopDomain: String
    var name: String?
    var status: String
    var currency: String
    var customer: Customer
    var items: [Item]
    var payment: Payment
    var sellerOrders: [SellerOrder]

    struct Customer: Codable, Sendable {
        var email: String?
        var firstName: String?
        var lastName: String?
        var phone: String?
    }

    struct Item: Codable, Sendable {
        var sku: String
        var quantity: Int
        var price: String
        var title: String?
        var variantId: String?
    }

    struct Payment: Codable, Sendable {
        var method: String
        var status: String
        var totalProductAmount: String
        var shippingAmount: String
        var discountAmount: String
        var totalAmount: String
        var collectedAmount: String
        var remainingAmount: String
        var currency: String
    }

    /// Filled once orders are split per seller (InventoryService's allocation).
    struct SellerOrder: Codable, Sendable {
        var splitOrderId: String
        var vendorId: String
        /// Always present: null for the NORMAL flow.
        var hubId: String?
        var flow: String
        var status: String

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(splitOrderId, forKey: .splitOrderId)
            try container.encode(vendorId, forKey: .vendorId)
            try container.encode(hubId, forKey: .hubId)
            try container.encode(flow, forKey: .flow)
            try container.encode(status, forKey: .status)
        }
    }
}
