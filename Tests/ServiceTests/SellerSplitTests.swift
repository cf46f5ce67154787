import Foundation
import Testing

@testable import OrderService

@Suite struct SellerSplitTests {
    static func item(_ line: String, quantity: Int = 1, price: String) -> OrderItem {
        OrderItem(
            id: Int64(line)!,
            lineItemId: line,
            variantId: nil,
            sku: "SKU-\(line)",
            title: nil,
            quantity: quantity,
            price: Decimal(string: price)!
        )
    }

    static func placed(_ line: String, with vendor: String, hub: String? = nil) -> SellerSplit.Placement {
        .init(
            lineItemId: line,
            vendorId: vendor,
            vendorName: "\(vendor) name",
            vendorEmail: "\(vendor)@example.com",
            hubId: hub,
            flow: hub == nil ? "NORMAL" : "HUB"
        )
    }

    @Test func oneSellerOrderPerVendorNumberedInVendorOrderWithItsLines() throws {
        let items = [Self.item("1", quantity: 2, price: "100.00"), Self.item("2", price: "50.00"), Self.item("3", price: "25.50")]
        let drafts = try SellerSplit.split(
            orderId: 42,
            items: items,
            placements: [Self.placed("1", with: "V2", hub: "H1"), Self.placed("2", with: "V1"), Self.placed("3", with: "V2", hub: "H1")],
            remainingAmount: 0
        )
        #expect(drafts.map(\.splitOrderId) == ["42-1", "42-2"])
        #expect(drafts.map(\.vendorId) == ["V1", "V2"])
        #expect(drafts[0].items.map(\.lineItemId) == ["2"])
        #expect(drafts[1].items.map(\.lineItemId) == ["1", "3"])
        #expect(drafts[1].hubId == "H1" && drafts[1].flow == "HUB" && drafts[0].hubId == nil)
        #expect(drafts.map(\.itemsAmount) == [Decimal(string: "50.00")!, Decimal(string: "225.50")!])
        #expect(drafts.map(\.collectAmount) == [0, 0], "a prepaid order collects nothing")
    }

    @Test func whatTheCustomerStillOwesIsSharedByValueAndAddsUpExactly() throws {
        let items = [Self.item("1", price: "100.00"), Self.item("2", price: "200.00")]
        let drafts = try SellerSplit.split(
            orderId: 7,
            items: items,
            placements: [Self.placed("1", with: "A"), Self.placed("2", with: "B")],
            remainingAmount: Decimal(string: "100.00")!
        )
        #expect(drafts.map(\.collectAmount) == [Decimal(string: "33.33")!, Decimal(string: "66.67")!])
        #expect(drafts.map(\.collectAmount).reduce(0, +) == Decimal(string: "100.00")!)
    }

    @Test func placementsThatDoNotCoverExactlyTheOrdersLinesAreRefused() {
        let items = [Self.item("1", price: "10.00"), Self.item("2", price: "10.00")]
        #expect(throws: SellerSplit.Mismatch(orderId: 9)) {
            try SellerSplit.split(orderId: 9, items: items, placements: [Self.placed("1", with: "A")], remainingAmount: 0)
        }
        #expect(throws: SellerSplit.Mismatch(orderId: 9)) {
            try SellerSplit.split(
                orderId: 9,
                items: items,
                placements: [Self.placed("1", with: "A"), Self.placed("2", with: "A"), Self.placed("3", with: "A")],
                remainingAmount: 0
            )
        }
    }

    @Test func aLineAnEditEmptiedShipsWithNoSellerOrder() throws {
        let items = [Self.item("1", price: "10.00"), Self.item("2", quantity: 0, price: "30.00")]
        // Allocated before the edit (placed), or after it (not placed): the same split.
        for placements in [[Self.placed("1", with: "A"), Self.placed("2", with: "B")], [Self.placed("1", with: "A")]] {
            let drafts = try SellerSplit.split(orderId: 9, items: items, placements: placements, remainingAmount: Decimal(string: "10.00")!)
            #expect(drafts.map(\.vendorId) == ["A"], "vendor B is left with nothing")
            #expect(drafts.map(\.splitOrderId) == ["9-1"])
            #expect(drafts[0].collectAmount == Decimal(string: "10.00"))
        }
    }
}
