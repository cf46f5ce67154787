import Foundation

/// Where an order is split per seller: one seller order per vendor that InventoryService
/// placed lines with, numbered `<order id>-1`, `-2`, ... in vendor id order (lines an edit
/// added later are numbered on from the order's last), each collecting its share of what the
/// customer still owes (`CollectionSplit`).
enum SellerSplit {
    /// Where InventoryService placed one order line.
    struct Placement: Sendable, Equatable {
        var lineItemId: String
        var vendorId: String
        var vendorName: String
        var vendorEmail: String
        var hubId: String?
        var flow: String
    }

    struct Mismatch: Error, CustomStringConvertible, Equatable {
        let orderId: Int64
        var description: String { "allocation of order \(orderId) does not cover exactly its line items" }
    }

    /// The order's seller orders. The placements must name every line the order still has
    /// units of, and only lines of the order; a line an edit removed since it was allocated
    /// (none left) ships with no seller order, and a vendor left with nothing gets none.
    static func split(
        orderId: Int64,
        items: [OrderItem],
        placements: [Placement],
        remainingAmount: Decimal,
        firstNumber: Int = 1
    ) throws(Mismatch) -> [SellerOrderDraft] {
        let byLine = Dictionary(items.map { ($0.lineItemId, $0) }, uniquingKeysWith: { first, _ in first })
        let placed = Set(placements.map(\.lineItemId))
        guard placed.isSubset(of: byLine.keys), Set(items.filter { $0.quantity > 0 }.map(\.lineItemId)).isSubset(of: placed) else {
            throw Mismatch(orderId: orderId)
        }
        let vendors = Dictionary(grouping: placements.filter { byLine[$0.lineItemId]!.quantity > 0 }, by: \.vendorId)
            .sorted { $0.key < $1.key }
        let groups = vendors.map { _, placed in placed.map { byLine[$0.lineItemId]! } }
        let values = groups.map { $0.reduce(Decimal(0)) { $0 + $1.amount } }
        let shares = CollectionSplit.shares(of: remainingAmount, byValue: values)
        return vendors.enumerated().map { index, vendor in
            let first = vendor.value[0]
            return SellerOrderDraft(
                splitOrderId: "\(orderId)-\(firstNumber + index)",
                vendorId: vendor.key,
                vendorName: first.vendorName,
                vendorEmail: first.vendorEmail,
                hubId: first.hubId,
                flow: first.flow,
                itemsAmount: values[index],
                collectAmount: shares[index],
                items: groups[index]
            )
        }
    }
}
