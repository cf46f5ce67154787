import Foundation

/// The parts of Shopify's order payload (REST Admin API `Order`) this service uses. The same
/// shape arrives with orders/create, orders/updated, orders/paid and orders/cancelled.
struct ShopifyOrder: Decodable, Sendable {
    var id: Int64
    var name: String?
    var email: String?
    var currency: String
    var createdAt: String?
    var updatedAt: String
    var cancelledAt: String?
    var financialStatus: String?
    var gateway: String?
    var paymentGatewayNames: [String]?
    var totalPrice: String
    var totalLineItemsPrice: String?
    var totalDiscounts: String?
    var totalOutstanding: String?
    var totalShippingPriceSet: PriceSet?
    var shippingLines: [ShippingLine]?
    var customer: Customer?
    var lineItems: [LineItem]
    var shippingAddress: Address?
    var billingAddress: Address?

    struct Customer: Decodable, Sendable {
        var id: Int64?
        var email: String?
        var firstName: String?
        var lastName: String?
        var phone: String?
    }

    struct LineItem: Decodable, Sendable {
        var id: Int64
        var variantId: Int64?
        var sku: String?
        var title: String?
        var quantity: Int
        var price: String
    }

    struct Address: Decodable, Sendable {
        var latitude: Double?
        var longitude: Double?
    }

    struct PriceSet: Decodable, Sendable {
        var shopMoney: Money
        struct Money: Decodable, Sendable { var amount: String }
    }

    struct ShippingLine: Decodable, Sendable {
        var price: String
    }

    static func decode(_ payload: Data) throws -> ShopifyOrder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(ShopifyOrder.self, from: payload)
    }
}
