import Common
import Foundation

/// The parts of Shopify's refund (REST Admin API `Refund`) this service uses: the payload of
/// refunds/create, and each entry of an order's `refunds`.
struct ShopifyRefund: Decodable, Sendable, Equatable {
    var id: Int64
    /// Absent in the entries of an order's `refunds` in some API versions: the order is known there.
    var orderId: Int64?
    var refundLineItems: [LineItem]?
    var transactions: [Transaction]?

    enum CodingKeys: String, CodingKey {
        case id, transactions
        case orderId = "order_id"
        case refundLineItems = "refund_line_items"
    }

    struct LineItem: Decodable, Sendable, Equatable {
        var lineItemId: Int64
        var quantity: Int
        /// `no_restock`, `cancel` (not fulfilled: never sent), `return` (sent and sent back) or
        /// `legacy_restock`.
        var restockType: String?

        enum CodingKeys: String, CodingKey {
            case quantity
            case lineItemId = "line_item_id"
            case restockType = "restock_type"
        }

        /// Whether the refunded units go back on the shelf.
        var restocks: Bool { ["cancel", "return", "legacy_restock"].contains(restockType ?? "no_restock") }
    }

    struct Transaction: Decodable, Sendable, Equatable {
        var kind: String?
        var status: String?
        var amount: String?
    }

    /// The money given back: the refund's successful refund transactions (a refund of a line
    /// nobody has paid for yet, as on a COD order, returns none).
    var amount: Decimal {
        (transactions ?? []).filter { $0.kind == "refund" && $0.status == "success" }
            .compactMap { Money.parse($0.amount) }.reduce(0, +)
    }

    /// The units that return to stock, per Shopify line id, in line order.
    var restocked: [(lineItemId: Int64, quantity: Int)] {
        var quantities: [Int64: Int] = [:]
        var order: [Int64] = []
        for line in refundLineItems ?? [] where line.restocks {
            if quantities[line.lineItemId] == nil { order.append(line.lineItemId) }
            quantities[line.lineItemId, default: 0] += line.quantity
        }
        return order.map { ($0, quantities[$0]!) }
    }

    /// The first reason the refund cannot be applied, or nil.
    var refusal: String? {
        for transaction in transactions ?? [] where transaction.kind == "refund" && transaction.status == "success" {
            guard let amount = Money.parse(transaction.amount), amount >= 0, amount <= OrderPayloadCheck.maxAmount else {
                return "refund \(id) has a transaction amount that is not between 0 and \(OrderPayloadCheck.maxAmount)"
            }
        }
        for line in refundLineItems ?? [] {
            guard line.quantity > 0, line.quantity <= OrderPayloadCheck.maxQuantity else {
                return "refund \(id) line item \(line.lineItemId) has quantity \(line.quantity)"
            }
        }
        return nil
    }

    static func decode(_ payload: Data) throws -> ShopifyRefund {
        try JSONDecoder().decode(ShopifyRefund.self, from: payload)
    }
}
