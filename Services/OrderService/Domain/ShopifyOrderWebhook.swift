import Foundation

/// The parts of Shopify's order payload (REST Admin API `Order`) this service uses. The same
/// shape arrives with orders/create, orders/updated, orders/paid and orders/cancelled.
struct ShopifyOrderWebhook: Decodable, Sendable {
    var id: Int64
    var name: String?
    var email: String?
    var currency: String
    var createdAt: String?
    var updatedAt: String
    var cancelledAt: String?
    /// `cancelled_at` as a time (nil when absent or not ISO 8601, which the payload check refuses).
    var cancelledDate: Date? { cancelledAt.flatMap { try? Date($0, strategy: .iso8601) } }
    var financialStatus: String?
    var gateway: String?
    var paymentGatewayNames: [String]?
    var totalPrice: String
    /// The total as it stands after edits, returns and refunds (absent in old payloads).
    var currentTotalPrice: String?
    var totalLineItemsPrice: String?
    var totalDiscounts: String?
    var totalOutstanding: String?
    var totalShippingPriceSet: PriceSet?
    var shippingLines: [ShippingLine]?
    var customer: Customer?
    var lineItems: [LineItem]
    var shippingAddress: Address?
    var billingAddress: Address?
    var refunds: [ShopifyRefund]?
    /// Refund entries `parse` left out (they cannot be applied); their units still count as
    /// taken back when the order's lines are compared. Not part of the payload's schema.
    var unreadableRefunds: [ShopifyRefund]? = nil

    // Spelled out rather than `convertFromSnakeCase`, which converts every key of the
    // payload (most of which this service never reads) on each decode.
    enum CodingKeys: String, CodingKey {
        case id, name, email, currency, gateway, customer, refunds
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case cancelledAt = "cancelled_at"
        case financialStatus = "financial_status"
        case paymentGatewayNames = "payment_gateway_names"
        case totalPrice = "total_price"
        case currentTotalPrice = "current_total_price"
        case totalLineItemsPrice = "total_line_items_price"
        case totalDiscounts = "total_discounts"
        case totalOutstanding = "total_outstanding"
        case totalShippingPriceSet = "total_shipping_price_set"
        case shippingLines = "shipping_lines"
        case lineItems = "line_items"
        case shippingAddress = "shipping_address"
        case billingAddress = "billing_address"
    }

    struct Customer: Decodable, Sendable {
        var id: Int64?
        var email: String?
        var firstName: String?
        var lastName: String?
        var phone: String?

        enum CodingKeys: String, CodingKey {
            case id, email, phone
            case firstName = "first_name"
            case lastName = "last_name"
        }
    }

    struct LineItem: Decodable, Sendable {
        var id: Int64
        var variantId: Int64?
        var sku: String?
        var title: String?
        var quantity: Int
        /// The quantity less what edits, returns and refunds removed (absent in old payloads).
        var currentQuantity: Int?
        var price: String
        var requiresShipping: Bool?
        var giftCard: Bool?

        enum CodingKeys: String, CodingKey {
            case id, sku, title, quantity, price
            case variantId = "variant_id"
            case currentQuantity = "current_quantity"
            case requiresShipping = "requires_shipping"
            case giftCard = "gift_card"
        }

        /// The units the order still has of this line: `current_quantity` (never above what
        /// was ordered), else the quantity.
        var currentUnits: Int { min(quantity, max(0, currentQuantity ?? quantity)) }

        /// Whether the line is a product a vendor ships (named by SKU, or by a variant the
        /// catalog maps to one): not a tip, a gift card or a custom item, which stay on the order
        /// and in its totals but are not allocated.
        var isShipped: Bool {
            requiresShipping != false && giftCard != true
                && (!(sku ?? "").trimmingCharacters(in: .whitespaces).isEmpty || variantId != nil)
        }
    }

    struct Address: Decodable, Sendable {
        var latitude: Double?
        var longitude: Double?
    }

    struct PriceSet: Decodable, Sendable {
        var shopMoney: Money
        enum CodingKeys: String, CodingKey { case shopMoney = "shop_money" }
        struct Money: Decodable, Sendable { var amount: String }
    }

    struct ShippingLine: Decodable, Sendable {
        var price: String
    }

    static func decode(_ payload: Data) throws -> ShopifyOrderWebhook {
        try JSONDecoder().decode(ShopifyOrderWebhook.self, from: payload)
    }
}
