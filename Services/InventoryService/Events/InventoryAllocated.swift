import ServiceKit

/// Every line of an order was allocated and its stock taken. Carries the vendors' names and
/// emails because no other service reads this one's tables.
struct InventoryAllocated: IntegrationEvent {
    static let route = EventRoute.inventoryAllocated

    var orderId: String
    var shopifyOrderId: String
    var shopDomain: String
    var lines: [Line]
    /// Set when the lines are those an edit added (`order.lines_added`), not the order's own.
    var revision: String? = nil

    struct Line: Codable, Sendable, Equatable {
        var lineItemId: String
        var sku: String
        var quantity: Int
        var vendorId: String
        var vendorName: String
        var vendorEmail: String
        /// Always present: null in the NORMAL flow.
        var hubId: String?
        var flow: String

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(lineItemId, forKey: .lineItemId)
            try container.encode(sku, forKey: .sku)
            try container.encode(quantity, forKey: .quantity)
            try container.encode(vendorId, forKey: .vendorId)
            try container.encode(vendorName, forKey: .vendorName)
            try container.encode(vendorEmail, forKey: .vendorEmail)
            try container.encode(hubId, forKey: .hubId)
            try container.encode(flow, forKey: .flow)
        }
    }
}
