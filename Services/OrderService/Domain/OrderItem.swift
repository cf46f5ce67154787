import Foundation

/// One stored line of an order, as splitting it per seller reads it.
struct OrderItem: Sendable, Equatable {
    var id: Int64
    var lineItemId: String
    var variantId: String?
    var sku: String
    var title: String?
    var quantity: Int
    var price: Decimal

    var amount: Decimal { price * Decimal(quantity) }
}
