import Foundation

/// What the couriers of an order's seller orders still on their way collect once its payment
/// changed after the split (paid online later, refunded, edited): the customer's remaining
/// amount shared again by the value each ships (`CollectionSplit`). Delivered and cancelled
/// seller orders keep what they had.
enum Recollection {
    struct SellerOrder: Sendable, Equatable {
        var splitOrderId: String
        var itemsAmount: Decimal
        var collectAmount: Decimal
    }

    struct Change: Sendable, Equatable {
        var splitOrderId: String
        var previousCollectAmount: Decimal
        var collectAmount: Decimal
    }

    /// The seller orders (those still assigned, in split order) whose amount to collect
    /// changes when `remaining` is what the customer owes; empty when nothing changes.
    static func changes(assigned: [SellerOrder], remaining: Decimal) -> [Change] {
        let ordered = assigned.sorted { ($0.splitOrderId.count, $0.splitOrderId) < ($1.splitOrderId.count, $1.splitOrderId) }
        let shares = CollectionSplit.shares(of: max(remaining, 0), byValue: ordered.map(\.itemsAmount))
        return zip(ordered, shares).compactMap { sellerOrder, share in
            share == sellerOrder.collectAmount
                ? nil
                : Change(splitOrderId: sellerOrder.splitOrderId, previousCollectAmount: sellerOrder.collectAmount, collectAmount: share)
        }
    }
}
