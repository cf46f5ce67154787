import Testing

@testable import OrderService

@Suite struct RecentWebhookIdsTests {
    @Test func remembersTheMostRecentIdsUpToItsCapacity() {
        let recent = RecentWebhookIds(capacity: 3)
        recent.insert(["b7f3c1e2-0001", "b7f3c1e2-0002"])
        #expect(recent.contains("b7f3c1e2-0001"))
        #expect(recent.contains("b7f3c1e2-0002"))
        #expect(!recent.contains("b7f3c1e2-0003"))
        recent.insert(["b7f3c1e2-0002", "b7f3c1e2-0003", "b7f3c1e2-0004"])  // a repeat takes no extra place
        #expect(!recent.contains("b7f3c1e2-0001"), "the oldest is evicted beyond capacity")
        #expect(["b7f3c1e2-0002", "b7f3c1e2-0003", "b7f3c1e2-0004"].allSatisfy(recent.contains))
    }

    @Test func idsThatDifferAnywhereHaveDifferentDigests() {
        let ids = (0..<10_000).map { "shopify-webhook-\($0)" } + ["", "a", "A", "a ", "é"]
        #expect(Set(ids.map(RecentWebhookIds.Digest.init)).count == ids.count)
    }
}
