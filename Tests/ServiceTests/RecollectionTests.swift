import Foundation
import Testing

@testable import OrderService

@Suite struct RecollectionTests {
    static func seller(_ id: String, items: String, collect: String) -> Recollection.SellerOrder {
        .init(splitOrderId: id, itemsAmount: Decimal(string: items)!, collectAmount: Decimal(string: collect)!)
    }

    @Test func paidOnlineLaterEveryCourierCollectsNothing() {
        let changes = Recollection.changes(
            assigned: [Self.seller("7-1", items: "199.00", collect: "194.00"), Self.seller("7-2", items: "199.00", collect: "194.00")],
            remaining: 0
        )
        #expect(changes.map(\.splitOrderId) == ["7-1", "7-2"])
        #expect(changes.map(\.collectAmount) == [0, 0])
        #expect(changes.map(\.previousCollectAmount) == [Decimal(string: "194.00")!, Decimal(string: "194.00")!])
    }

    @Test func anUnchangedRemainingChangesNothing() {
        let assigned = [Self.seller("7-1", items: "100.00", collect: "33.33"), Self.seller("7-2", items: "200.00", collect: "66.67")]
        #expect(Recollection.changes(assigned: assigned, remaining: Decimal(string: "100.00")!).isEmpty)
    }

    @Test func aSmallerRemainingIsSharedByValueAndAddsUpExactly() {
        let assigned = [
            Self.seller("7-10", items: "300.00", collect: "300.00"), Self.seller("7-2", items: "100.00", collect: "100.00"),
            Self.seller("7-3", items: "200.00", collect: "200.00"),
        ]
        let changes = Recollection.changes(assigned: assigned, remaining: Decimal(string: "100.00")!)
        // In split order (7-2 before 7-10), the last taking the rounding.
        #expect(changes.map(\.splitOrderId) == ["7-2", "7-3", "7-10"])
        #expect(changes.map(\.collectAmount) == [Decimal(string: "16.66")!, Decimal(string: "33.33")!, Decimal(string: "50.01")!])
        #expect(changes.map(\.collectAmount).reduce(0, +) == Decimal(string: "100.00")!)
    }

    @Test func nothingAssignedNothingChanges() {
        #expect(Recollection.changes(assigned: [], remaining: Decimal(string: "10.00")!).isEmpty)
    }
}
