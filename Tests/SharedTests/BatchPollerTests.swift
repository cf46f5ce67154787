import Foundation
import ServiceKit
import TestSupport
import Testing

/// The loop every database-polling worker runs (webhook processing, relays, job queue,
/// Shiprocket processing): failures in a row wait longer each time, and a success resets it.
@Suite struct BatchPollerTests {
    /// When each pass began; whether a pass fails, by its number (from 0).
    actor Passes {
        var times: [ContinuousClock.Instant] = []
        let fails: @Sendable (Int) -> Bool

        init(fails: @escaping @Sendable (Int) -> Bool) { self.fails = fails }

        func record() -> Bool {
            times.append(.now)
            return fails(times.count - 1)
        }

        var gaps: [Duration] { zip(times.dropFirst(), times).map { $0 - $1 } }
    }

    struct DatabaseDown: Error {}

    func poller() -> BatchPoller {
        BatchPoller(batchSize: 10, interval: .milliseconds(10), logger: testLogger, failure: "test pass failed")
    }

    /// Runs the poller until `count` passes have begun (however slow the machine).
    func run(_ passes: Passes, until count: Int) async throws -> [Duration] {
        let loop = Task {
            await poller().run {
                if await passes.record() { throw DatabaseDown() }
                return 0
            }
        }
        let reached = await eventually { await passes.times.count >= count }
        loop.cancel()
        await loop.value
        try #require(reached, "\(count) passes")
        return await passes.gaps
    }

    /// A pass that always fails is tried again after 0.25-0.5 s, then 0.5-1 s, then 1-2 s (a
    /// loop without backoff would try again every 10 ms). Pauses can only run long on a busy
    /// machine, so only their lower bounds are checked.
    @Test func failuresInARowWaitLongerEachTime() async throws {
        let gaps = try await run(Passes { _ in true }, until: 4)
        for (index, lower) in [0.25, 0.5, 1.0].enumerated() {
            #expect(gaps[index] >= .seconds(lower), "pause \(index + 1): \(gaps[index])")
        }
    }

    /// Three failures, a success, then failures again: the first of those waits the shortest
    /// pause (at most 0.5 s), not the fourth one's 2-4 s.
    @Test func aSuccessStartsTheBackoffAfresh() async throws {
        let gaps = try await run(Passes { $0 != 3 }, until: 6)
        #expect(gaps[3] < .seconds(1), "after the success, the next pass comes at once: \(gaps[3])")
        #expect(gaps[4] >= .milliseconds(250) && gaps[4] < .seconds(2), "the backoff starts again: \(gaps[4])")
    }
}
