/// Which connections are idle and how many may still be opened; waiters are served in order.
actor PostgresPoolSlots {
    enum Grant: Sendable {
        /// An idle connection, to be checked before use.
        case connection(PostgresConnection)
        /// Room for one new connection.
        case open
    }

    private let capacity: Int
    private var opened = 0
    private var idle: [PostgresConnection] = []
    private var waiters: [CheckedContinuation<Grant, any Error>] = []
    private var closed = false

    init(capacity: Int) { self.capacity = capacity }

    func acquire() async throws -> Grant {
        if closed { throw PostgresError(kind: .usage, message: "the pool is closed") }
        if let connection = idle.popLast() { return .connection(connection) }
        if opened < capacity {
            opened += 1
            return .open
        }
        return try await withCheckedThrowingContinuation { waiters.append($0) }
    }

    /// Returns a connection (or, with nil, the room of one that was discarded). Answers false
    /// when the pool is closed and the caller must close the connection itself.
    @discardableResult
    func release(_ connection: PostgresConnection?) -> Bool {
        if !waiters.isEmpty {
            let waiter = waiters.removeFirst()
            waiter.resume(returning: connection.map(Grant.connection) ?? .open)
            return true
        }
        guard let connection else {
            opened -= 1
            return true
        }
        if closed {
            opened -= 1
            return false
        }
        idle.append(connection)
        return true
    }

    func close() -> [PostgresConnection] {
        closed = true
        let error = PostgresError(kind: .usage, message: "the pool is closed")
        waiters.forEach { $0.resume(throwing: error) }
        waiters.removeAll()
        let connections = idle
        opened -= idle.count
        idle.removeAll()
        return connections
    }
}
