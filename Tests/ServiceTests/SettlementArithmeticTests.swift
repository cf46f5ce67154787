import Foundation
import Testing

@testable import OrderService

@Suite struct SettlementArithmeticTests {
    static func amount(_ text: String) -> Decimal { Decimal(string: text)! }

    @Test func eachShipmentAddsWhatItsCourierCollectedAndTheLastPaysInFull() {
        let unpaid = Settlement(totalAmount: Self.amount("990.00"), collectedAmount: 0)
        #expect(unpaid.remainingAmount == Self.amount("990.00"))
        let first = unpaid.collecting(Self.amount("330.00"), lastShipment: false)
        #expect(first.collectedAmount == Self.amount("330.00"))
        #expect(first.remainingAmount == Self.amount("660.00"))
        #expect(first.status == .partiallyPaid)
        // The last courier's amount is whatever was left, even if its share was rounded.
        let last = first.collecting(Self.amount("659.99"), lastShipment: true)
        #expect(last.collectedAmount == Self.amount("990.00"))
        #expect(last.remainingAmount == 0)
        #expect(last.status == .paid)
    }

    @Test func collectedNeverExceedsTheTotal() {
        let settled = Settlement(totalAmount: Self.amount("100.00"), collectedAmount: Self.amount("90.00"))
            .collecting(Self.amount("50.00"), lastShipment: false)
        #expect(settled.collectedAmount == Self.amount("100.00"))
        #expect(settled.remainingAmount == 0)
        #expect(settled.status == .paid)
    }

    @Test func aPrepaidOrdersShipmentsChangeNothing() {
        let prepaid = Settlement(totalAmount: Self.amount("388.00"), collectedAmount: Self.amount("388.00"))
        #expect(prepaid.collecting(0, lastShipment: false) == prepaid)
        #expect(prepaid.collecting(0, lastShipment: true) == prepaid)
        #expect(prepaid.status == .paid)
    }

    @Test func whatCouriersCollectedIsKeptApartForShopifysLaterPayloads() {
        let settled = Settlement(totalAmount: Self.amount("990.00"), collectedAmount: Self.amount("390.00"))
            .collecting(Self.amount("300.00"), lastShipment: false)
            .collecting(Self.amount("300.00"), lastShipment: true)
        #expect(settled.cashCollected == Self.amount("600.00"))
        #expect(settled.collectedAmount == Self.amount("990.00"))
    }
}

extension SettlementArithmeticTests {
    @Test func aRefundComesOffWhatWasPaidAndWhatIsOwedStays() {
        let partly = Settlement(totalAmount: Self.amount("990.00"), collectedAmount: Self.amount("390.00"), refundedAmount: Self.amount("100.00"))
            .refunding(Self.amount("100.00"))
        #expect(partly.totalAmount == Self.amount("890.00"))
        #expect(partly.collectedAmount == Self.amount("290.00"))
        #expect(partly.remainingAmount == Self.amount("600.00"))
        #expect(partly.status == .partiallyPaid)
        let whole = Settlement(totalAmount: Self.amount("388.00"), collectedAmount: Self.amount("388.00"), refundedAmount: Self.amount("388.00"))
            .refunding(Self.amount("388.00"))
        #expect(whole.totalAmount == 0)
        #expect(whole.status == .refunded)
        // More given back than was paid: nothing is paid, and what was owed shrinks.
        let over = Settlement(totalAmount: Self.amount("100.00"), collectedAmount: Self.amount("20.00")).refunding(Self.amount("50.00"))
        #expect(over.collectedAmount == 0)
        #expect(over.totalAmount == Self.amount("50.00"))
    }
}
