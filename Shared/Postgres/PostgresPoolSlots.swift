/// Which connections are idle and how many may still be opened; waiters are served in order
/// and give up after the pool's acquire timeout.
actor PostgresPoolSlots {
    enum Grant: Sendable {
        /// An idle connection, to be checked before use.
        case connection(PostgresConnection)
        /// Room for one new connection.
        case open
    }

    private let capacity: Int
    private let acquireTimeout: Duration
    private var opened = 0
    private var idle: [PostgresConnection] = []
    private var waiters: [(id: Int, continuation: CheckedContinuation<Grant, any Error>)] = []
    private var nextWaiter = 0
    private var closed = false

    init(capacity: Int, acquireTimeout: Duration) {
        self.capacity = capacity
        self.acquireTimeout = acquireTimeout
    }

    func acquire() async throws -> Grant {
        if closed { throw PostgresError(kind: .usage, message: "the pool is closed") }
        if let connection = idle.popLast() { return .connection(connection) }
        if opened < capacity {
            opened += 1
            return .open
        }
        nextWaiter += 1
        let id = nextWaiter
        let timeout = acquireTimeout
        Task { [weak self] in
            try? await Task.sleep(for: timeout)
            await self?.expire(id)
        }
        return try await withCheckedThrowingContinuation { waiters.append((id, $0)) }
    }

    private func expire(_ id: Int) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        let waiter = waiters.remove(at: index)
        waiter.continuation.resume(
            throwing: PostgresError(
                kind: .busy,
                message: "no database connection free within \(acquireTimeout)"
            )
        )
    }

    /// Returns a connection (or, with nil, the room of one that was discarded). Answers false
    /// when the pool is closed and the caller must close the connection itself.
    @discardableResult
    func release(_ connection: PostgresConnection?) -> Bool {
        if !waiters.isEmpty {
            let waiter = waiters.removeFirst()
            waiter.continuation.resume(returning: connection.map(Grant.connection) ?? .open)
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
        for waiter in waiters { waiter.continuation.resume(throwing: error) }
        waiters.removeAll()
        let connections = idle
        opened -= idle.count
        idle.removeAll()
        return connections
    }
}
