import Hummingbird

/// `GET /orders/{shopifyOrderId}` as docs/api.md describes it. Amounts are decimal strings.
struct OrderView: ResponseEncodable, Decodable, Sendable {
    var shopifyOrderId: String
    var shopDomain: String
    var name: String?
    var status: String
    /// Set when an edit added lines this service did not allocate.
    var editNotice: String?
    var currency: String
    var customer: CustomerContact
    var items: [Item]
    var payment: Payment
    var sellerOrders: [SellerOrder]

    struct Item: Codable, Sendable {
        var sku: String
        /// What the order has of the line now (after edits and refunds).
        var quantity: Int
        /// As it was ordered.
        var orderedQuantity: Int
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
        /// What was given back; not part of `collectedAmount`.
        var refundedAmount: String
        var currency: String
    }

    /// Filled once the order is allocated: one per vendor.
    struct SellerOrder: Codable, Sendable {
        var splitOrderId: String
        var vendorId: String
        var vendorName: String
        /// Always present: null for the NORMAL flow.
        var hubId: String?
        var flow: String
        var status: String
        var items: [Item]
        var itemsAmount: String
        /// What the courier collects on delivery.
        var collectAmount: String

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(splitOrderId, forKey: .splitOrderId)
            try container.encode(vendorId, forKey: .vendorId)
            try container.encode(vendorName, forKey: .vendorName)
            try container.encode(hubId, forKey: .hubId)
            try container.encode(flow, forKey: .flow)
            try container.encode(status, forKey: .status)
            try container.encode(items, forKey: .items)
            try container.encode(itemsAmount, forKey: .itemsAmount)
            try container.encode(collectAmount, forKey: .collectAmount)
        }
    }
}
