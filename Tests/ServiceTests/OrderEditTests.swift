import Foundation
import Testing

@testable import OrderService

@Suite struct OrderEditTests {
    static func line(_ id: Int64, quantity: Int, current: Int? = nil) throws -> ShopifyOrderWebhook.LineItem {
        var json: [String: Any] = ["id": id, "quantity": quantity, "price": "10.00", "sku": "S\(id)"]
        if let current { json["current_quantity"] = current }
        return try JSONDecoder().decode(ShopifyOrderWebhook.LineItem.self, from: JSONSerialization.data(withJSONObject: json))
    }

    static func stored(_ id: Int64, ordered: Int, current: Int? = nil, released: Int = 0) -> OrderEdit.StoredLine {
        .init(lineItemId: id, ordered: ordered, current: current ?? ordered, editReleased: released)
    }

    @Test func aReducedOrRemovedLineGivesBackWhatTheEditRemovedOnce() throws {
        let edit = OrderEdit.between(
            stored: [Self.stored(1, ordered: 3), Self.stored(2, ordered: 1), Self.stored(3, ordered: 2)],
            payload: [try Self.line(1, quantity: 3, current: 1), try Self.line(2, quantity: 1, current: 0), try Self.line(3, quantity: 2)],
            refunded: [:]
        )
        #expect(
            edit.changes == [
                .init(lineItemId: 1, current: 1, editReleased: 2, release: 2), .init(lineItemId: 2, current: 0, editReleased: 1, release: 1),
            ]
        )
        #expect(edit.newLines.isEmpty)
        #expect(edit.increases.isEmpty)
        // The same payload again: nothing more to give back.
        let again = OrderEdit.between(
            stored: [Self.stored(1, ordered: 3, current: 1, released: 2), Self.stored(2, ordered: 1, current: 0, released: 1)],
            payload: [try Self.line(1, quantity: 3, current: 1), try Self.line(2, quantity: 1, current: 0)],
            refunded: [:]
        )
        #expect(again.changes.isEmpty)
    }

    @Test func unitsARefundTookBackAreNotReleasedByTheEdit() throws {
        // Two of three refunded (restocked, or not, by the refund's own type), one removed by an edit.
        let edit = OrderEdit.between(
            stored: [Self.stored(1, ordered: 3)],
            payload: [try Self.line(1, quantity: 3, current: 0)],
            refunded: [1: 2]
        )
        #expect(edit.changes == [.init(lineItemId: 1, current: 0, editReleased: 1, release: 1)])
        let refundOnly = OrderEdit.between(
            stored: [Self.stored(1, ordered: 3)],
            payload: [try Self.line(1, quantity: 3, current: 1)],
            refunded: [1: 2]
        )
        #expect(refundOnly.changes == [.init(lineItemId: 1, current: 1, editReleased: 0, release: 0)], "fewer to ship, nothing released")
    }

    @Test func newLinesAreAddedAndIncreasesReported() throws {
        let edit = OrderEdit.between(
            stored: [Self.stored(1, ordered: 3, current: 1, released: 2), Self.stored(2, ordered: 1)],
            payload: [
                try Self.line(1, quantity: 3, current: 3), try Self.line(2, quantity: 1), try Self.line(9, quantity: 2),
                try Self.line(8, quantity: 1, current: 0),
            ],
            refunded: [:]
        )
        #expect(edit.increases == [1])
        #expect(edit.newLines == [9], "a new line with nothing left is no addition")
        #expect(edit.changes.isEmpty, "quantities only go down here")
    }

    @Test func aLineThePayloadDoesNotListIsLeftAsItIs() throws {
        let edit = OrderEdit.between(
            stored: [Self.stored(1, ordered: 2), Self.stored(2, ordered: 1)],
            payload: [try Self.line(2, quantity: 1)],
            refunded: [:]
        )
        #expect(edit.changes.isEmpty)
        #expect(edit.newLines.isEmpty)
        #expect(edit.increases.isEmpty)
    }
}
