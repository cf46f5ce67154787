import Postgres

/// The one way stock rows change after they are created: by deltas, on rows the caller has
/// locked (`lockInOrder`), never crossing zero.
enum StockMoves {
    /// Locks stock rows in id order, the order every writer of stock uses, so that writers
    /// wait for each other instead of deadlocking.
    static func lockInOrder(_ ids: some Collection<Int64>, in tx: PostgresLease) async throws {
        guard !ids.isEmpty else { return }
        _ = try await tx.query("""
            SELECT id FROM stock WHERE id = ANY(\(ids.sorted())::bigint[]) ORDER BY id FOR UPDATE
            """)
    }

    /// Adds `deltas[id]` to each row. Throws, changing nothing the caller keeps, if any row
    /// would go below zero: the caller checked already, so that would be a bug, not a sale.
    static func apply(_ deltas: [Int64: Int], in tx: PostgresLease) async throws {
        guard !deltas.isEmpty else { return }
        let ids = deltas.keys.sorted()
        let amounts = ids.map { deltas[$0]! }
        let updated = try await tx.query("""
            UPDATE stock s SET quantity = s.quantity + d.delta, updated_at = now()
            FROM unnest(\(ids)::bigint[], \(amounts)::integer[]) AS d(id, delta)
            WHERE s.id = d.id AND s.quantity + d.delta >= 0
            """)
        guard updated.affectedRows == ids.count else {
            throw PostgresError(kind: .usage, message: "a stock level would go below zero; nothing applied")
        }
    }
}
