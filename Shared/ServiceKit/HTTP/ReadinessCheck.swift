import Messaging
import Postgres

/// Whether the service can do its work: its database and its broker both answer.
public struct ReadinessCheck: Sendable {
    let pool: PostgresPool
    let publisher: AMQPPublisher

    public init(pool: PostgresPool, publisher: AMQPPublisher) {
        self.pool = pool
        self.publisher = publisher
    }

    public struct Report: Sendable, Codable {
        public var postgres: Bool
        public var rabbitmq: Bool
        public var ready: Bool { postgres && rabbitmq }
    }

    public func run() async -> Report {
        async let postgres = checkPostgres()
        async let rabbitmq = publisher.checkHealth()
        return await Report(postgres: postgres, rabbitmq: rabbitmq)
    }

    private func checkPostgres() async -> Bool {
        (try? await pool.query("SELECT 1 AS ok").scalar("ok", as: Int.self)) == 1
    }
}
