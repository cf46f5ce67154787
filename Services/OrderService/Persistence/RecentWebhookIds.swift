import Crypto
import Synchronization

/// Webhook ids this replica has seen committed, most recent `capacity` of them, so that a
/// Shopify retry of one is answered without a database round trip. Only an optimisation:
/// the unique webhook id in the database is what keeps a delivery stored once, and an id
/// missing here (evicted, or stored by another replica) is simply checked there.
///
/// Kept as 128-bit digests rather than the ids themselves: a full cache of strings cost
/// about 10 MB of the service's memory, this about 4 MB; two different ids sharing a digest
/// (which would answer a new delivery as a retry) is a 2^-128 event.
final class RecentWebhookIds: Sendable {
    struct Digest: Hashable {
        var high: UInt64
        var low: UInt64

        init(_ id: String) {
            var high: UInt64 = 0
            var low: UInt64 = 0
            for (index, byte) in SHA256.hash(data: Array(id.utf8)).prefix(16).enumerated() {
                if index < 8 { high = high << 8 | UInt64(byte) } else { low = low << 8 | UInt64(byte) }
            }
            self.high = high
            self.low = low
        }
    }

    private struct State {
        var members = Set<Digest>()
        var ring: [Digest?]
        var next = 0
    }

    private let state: Mutex<State>

    init(capacity: Int = 100_000) {
        var initial = State(ring: Array(repeating: nil, count: max(1, capacity)))
        initial.members.reserveCapacity(initial.ring.count)
        state = Mutex(initial)
    }

    func contains(_ id: String) -> Bool {
        let digest = Digest(id)
        return state.withLock { $0.members.contains(digest) }
    }

    /// Records ids known to be committed, evicting the oldest beyond capacity.
    func insert(_ ids: some Sequence<String>) {
        let digests = ids.map(Digest.init)
        state.withLock { state in
            for digest in digests where state.members.insert(digest).inserted {
                if let evicted = state.ring[state.next] { state.members.remove(evicted) }
                state.ring[state.next] = digest
                state.next = (state.next + 1) % state.ring.count
            }
        }
    }
}
