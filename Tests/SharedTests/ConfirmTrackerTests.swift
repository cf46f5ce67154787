import Testing

@testable import Messaging

/// Publisher confirms as the broker sends them, in the orders it may choose.
@Suite struct ConfirmTrackerTests {
    @Test func aMultipleAckThatArrivesAfterALaterSingleAckConfirmsBoth() {
        // Seen from RabbitMQ: ack 400 alone, then ack 399 "multiple"; 400 must not be forgotten.
        var tracker = ConfirmTracker()
        tracker.settle(400, multiple: false, refuse: false)
        #expect(tracker.confirmedThrough == 0)
        tracker.settle(399, multiple: true, refuse: false)
        #expect(tracker.confirmedThrough == 400)
        #expect(tracker.outstanding.isEmpty)
    }

    @Test func singleAcksOutOfOrderAdvanceOnlyWhenTheGapCloses() {
        var tracker = ConfirmTracker()
        tracker.settle(2, multiple: false, refuse: false)
        tracker.settle(3, multiple: false, refuse: false)
        #expect(tracker.confirmedThrough == 0)
        tracker.settle(1, multiple: false, refuse: false)
        #expect(tracker.confirmedThrough == 3)
    }

    @Test func refusalsAreReportedOnceEachAndAcksAreNot() {
        var tracker = ConfirmTracker()
        tracker.settle(2, multiple: false, refuse: true)
        tracker.settle(5, multiple: true, refuse: true)
        tracker.settle(6, multiple: false, refuse: false)
        #expect(tracker.confirmedThrough == 6)
        #expect(tracker.takeRefused() == [1, 2, 3, 4, 5])
        #expect(tracker.takeRefused().isEmpty)
        tracker.settle(3, multiple: true, refuse: false)  // old news changes nothing
        #expect(tracker.confirmedThrough == 6)
    }
}
