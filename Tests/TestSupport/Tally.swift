import Synchronization

/// A thread-safe tally for handlers under test.
public final class Tally: Sendable {
    private let storage = Mutex<[String: Int]>([:])

    public init() {}

    public func add(_ key: String = "", _ amount: Int = 1) {
        storage.withLock { $0[key, default: 0] += amount }
    }

    public func count(_ key: String = "") -> Int {
        storage.withLock { $0[key, default: 0] }
    }

    public var total: Int { storage.withLock { $0.values.reduce(0, +) } }
}
