import Synchronization

/// Webhook ids this replica has seen committed, most recent `capacity` of them, so that a
/// Shopify retry of one is answered without a database round trip. Only an optimisation:
/// the unique webhook id in the database is what keeps a delivery stored once, and an id
/// missing here (evicted, or stored by another replica) is simply checked there.
final class RecentWebhookIds: Sendable {
    private struct State {
        var members = Set<String>()
        var ring: [String?]
        var next = 0
    }

    private let state: Mutex<State>

    init(capacity: Int = 100_000) {
        state = Mutex(State(ring: Array(repeating: nil, count: max(1, capacity))))
    }

    func contains(_ id: String) -> Bool {
        state.withLock { $0.members.contains(id) }
    }

    /// Records ids known to be committed, evicting the oldest beyond capacity.
    func insert(_ ids: some Sequence<String>) {
        state.withLock { state in
            for id in ids where state.members.insert(id).inserted {
                if let evicted = state.ring[state.next] { state.members.remove(evicted) }
                state.ring[state.next] = id
                state.next = (state.next + 1) % state.ring.count
            }
        }
    }
}
