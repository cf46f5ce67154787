import ServiceLifecycle

/// The pool as a long-lived service: it closes its connections once the service group shuts down.
public struct PostgresPoolService: Service {
    let pool: PostgresPool
    public init(_ pool: PostgresPool) { self.pool = pool }

    public func run() async throws {
        try? await gracefulShutdown()
        await pool.close()
    }
}
