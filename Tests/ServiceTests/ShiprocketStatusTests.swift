import Foundation
import TestSupport
import Testing

@testable import DeliveryService

/// The Shiprocket status mapping, the forward-only rule and the webhook reader, without I/O.
@Suite struct ShiprocketStatusTests {
    static func codes() throws -> [Int: String] {
        let object = try JSONSerialization.jsonObject(with: try Fixtures.data("shiprocket/status-codes.json")) as! [String: Any]
        return Dictionary(uniqueKeysWithValues: object.compactMap { key, value in Int(key).map { ($0, value as! String) } })
    }

    @Test func everyCodeInShiprocketsListIsMappedAndNothingElse() throws {
        let codes = try Self.codes()
        #expect(codes.count == 60)
        let unmapped = codes.keys.filter { ShiprocketStatusMap.status(forCode: $0) == nil }.sorted()
        #expect(unmapped.isEmpty, "unmapped codes: \(unmapped)")
        #expect(Set(ShiprocketStatusMap.table.keys) == Set(codes.keys), "the table lists exactly Shiprocket's codes")
    }

    @Test(arguments: [
        (0, DeliveryStatus.pending), (16, .pending), (3, .pickupScheduled), (19, .pickupScheduled), (42, .pickedUp),
        (6, .pickedUp), (18, .inTransit), (38, .inTransit), (17, .outForDelivery), (7, .delivered), (26, .delivered),
        (21, .undelivered), (23, .undelivered), (9, .rtoInProgress), (46, .rtoInProgress), (10, .rtoDelivered),
        (8, .cancelled), (45, .cancelled), (12, .lost), (25, .lost), (76, .lost),
    ])
    func codesMeanWhatShiprocketsLabelsSay(code: Int, status: DeliveryStatus) throws {
        let label = try Self.codes()[code] ?? "?"
        #expect(ShiprocketStatusMap.status(forCode: code) == status, "\(label)")
    }

    @Test func unknownCodesMapToNothing() {
        #expect(ShiprocketStatusMap.status(forCode: 999) == nil)
        #expect(ShiprocketStatusMap.status(forCode: 28) == nil)
    }

    @Test func statusesOnlyMoveForward() {
        let t0 = Date(timeIntervalSince1970: 1_000)
        let t1 = Date(timeIntervalSince1970: 2_000)
        func decide(_ current: DeliveryStatus, _ next: DeliveryStatus?, at: Date? = t1, currentAt: Date? = t0) -> StatusTransition.Decision {
            StatusTransition.decide(current: current, at: currentAt, next: next, at: at)
        }
        #expect(decide(.pending, .inTransit) == .apply)
        #expect(decide(.inTransit, .pickedUp) == .history, "a late pick-up after in transit")
        #expect(decide(.inTransit, .inTransit) == .history, "a repeat")
        #expect(decide(.delivered, .inTransit) == .history, "a late in transit after delivered")
        #expect(decide(.delivered, .rtoInProgress) == .history, "terminal stays")
        #expect(decide(.cancelled, .delivered) == .history)
        #expect(decide(.outForDelivery, .delivered) == .apply)
        #expect(decide(.inTransit, nil) == .history, "unknown code")
        #expect(decide(.outForDelivery, .undelivered) == .apply, "a failed attempt after going out")
        #expect(decide(.undelivered, .outForDelivery) == .apply, "the next attempt")
        #expect(decide(.undelivered, .outForDelivery, at: Date(timeIntervalSince1970: 500)) == .history, "an older attempt")
        #expect(decide(.undelivered, .outForDelivery, at: nil) == .history, "no time cannot overtake")
        #expect(decide(.undelivered, .rtoInProgress) == .apply)
        #expect(decide(.rtoInProgress, .rtoDelivered) == .apply)
    }

    @Test func theFixtureWebhookReads() throws {
        let webhook = try #require(ShiprocketWebhook.parse(try Fixtures.data("shiprocket/status-in-transit.json")))
        #expect(webhook.awb == "19041424751540")
        #expect(webhook.orderId == "1373900_150876814")
        #expect(webhook.srOrderId == "348456385")
        #expect(webhook.shipmentStatusId == 18, "mapped on shipment_status_id, not current_status_id (20)")
        #expect(webhook.mappedStatus == .inTransit)
        // 23 05 2023 11:43:52 in India is 06:13:52 UTC.
        #expect(webhook.eventAt == Date(timeIntervalSince1970: 1_684_822_432))
        #expect(webhook.deduplicationKey == "awb:19041424751540|18|23 05 2023 11:43:52")
    }

    @Test func idsArriveAsStringsOrNumbers() throws {
        let webhook = try #require(
            ShiprocketWebhook.parse(
                Data(
                    """
                    {"awb": 19041424751540, "order_id": 77, "shipment_status_id": "7", "current_timestamp": "01 06 2023 09:00:00"}
                    """.utf8
                )
            )
        )
        #expect(webhook.awb == "19041424751540")
        #expect(webhook.orderId == "77")
        #expect(webhook.mappedStatus == .delivered)
        #expect(ShiprocketWebhook.parse(Data("[1]".utf8)) == nil)
        #expect(ShiprocketWebhook.parse(Data("{}".utf8))?.deduplicationKey == nil, "no shipment named")
    }

    @Test func onlyAShipmentTheCourierDoesNotHaveYetIsCalledOff() {
        #expect(DeliveryStatus.allCases.filter(\.isCancellableBeforePickup) == [.pending, .pickupScheduled])
    }
}
