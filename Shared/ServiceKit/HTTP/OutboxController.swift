import Foundation
import Hummingbird
import Postgres

/// `GET /admin/outbox`: what the outbox still has to publish, for operators.
public struct OutboxController<Context: RequestContext>: Sendable {
    let pool: PostgresPool

    public init(pool: PostgresPool) { self.pool = pool }

    struct Status: ResponseEncodable {
        var pending: Int
        var retrying: Int
        var oldestPendingSeconds: Double?
    }

    public func addRoutes(to group: RouterGroup<Context>) {
        group.get("outbox") { _, _ -> Status in
            let row = try await pool.query(
                """
                SELECT count(*) AS pending,
                       count(*) FILTER (WHERE attempts > 0) AS retrying,
                       extract(epoch FROM now() - min(created_at))::float8 AS oldest
                FROM outbox WHERE published_at IS NULL
                """
            )[0]
            return Status(
                pending: try row.decode("pending"),
                retrying: try row.decode("retrying"),
                oldestPendingSeconds: try row.decode("oldest")
            )
        }
    }
}
