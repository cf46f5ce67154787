import Common
import Testing

@Suite struct RetryPolicyTests {
    let policy = RetryPolicy(base: .seconds(2), cap: .seconds(300), jitter: .none)

    @Test func theBoundDoublesFromTheBaseUpToTheCap() {
        #expect((1...9).map { policy.bound(attempt: $0) } == [2, 4, 8, 16, 32, 64, 128, 256, 300].map { Duration.seconds($0) })
        #expect(policy.bound(attempt: 0) == .seconds(2), "no attempt below the first")
        #expect(policy.bound(attempt: 10_000) == .seconds(300), "no overflow however many attempts")
    }

    @Test func jitterStaysWithinItsShare() {
        var half = policy
        half.jitter = .half
        var full = policy
        full.jitter = .full
        #expect(half.delay(attempt: 3, random: 0) == .seconds(4))
        #expect(half.delay(attempt: 3, random: 1) == .seconds(8))
        #expect(full.delay(attempt: 3, random: 0) == .zero)
        #expect(full.delay(attempt: 3, random: 0.5) == .seconds(4))
        #expect(policy.delay(attempt: 3, random: 0.1) == .seconds(8))
        for _ in 0..<100 {
            let delay = RetryPolicy.transactionConflict.delay(attempt: 1)
            #expect(delay >= .milliseconds(5) && delay <= .milliseconds(10), "a conflict always waits a little")
        }
    }

    @Test func aFailedAttemptIsFinalAtTheLimitOrWhenItCanNeverPass() {
        #expect(policy.after(failedAttempt: 1, of: 8) == .init(isFinal: false, delay: .seconds(2)))
        #expect(policy.after(failedAttempt: 8, of: 8).isFinal)
        #expect(policy.after(failedAttempt: 1, of: 8, permanent: true).isFinal)
    }

    @Test func durationsInSecondsForSQL() {
        #expect(Duration.milliseconds(1500).seconds == 1.5)
        #expect(Duration.seconds(300).seconds == 300)
    }
}
