import Postgres

/// The one writer of stock rows: allocation takes stock and cancellation returns it
/// (`apply`), adjustments add and remove it (`lockLevels`, `apply`, `addToNewLevel`), a
/// catalog load sets levels (`setLevels`). Every writer locks the existing rows it changes in
/// id order before changing them (allocation through `StockSnapshot.lock`, which reads what it
/// locks), so writers wait for each other instead of deadlocking; deltas never take a row
/// below zero. Rows created at once by two writers (an adjustment and a catalog load naming
/// the same new levels) can still meet in another order: the database then picks one to fail,
/// and its transaction is run again.
enum StockMoves {
    /// A stock row, locked until the transaction ends.
    struct LockedLevel: Sendable {
        var id: Int64
        var sku: String
        var vendorId: String
        var hubId: String?
        var quantity: Int
    }

    /// Locks stock rows in id order; returns each one's quantity, by id.
    @discardableResult
    static func lockInOrder(_ ids: some Collection<Int64>, in tx: PostgresLease) async throws -> [Int64: Int] {
        guard !ids.isEmpty else { return [:] }
        var quantities: [Int64: Int] = [:]
        for row in try await tx.query(
            """
            SELECT id, quantity FROM stock WHERE id = ANY(\(ids.sorted())::bigint[]) ORDER BY id FOR UPDATE
            """
        ) {
            quantities[try row.decode("id")] = try row.decode("quantity")
        }
        return quantities
    }

    /// Locks, in id order, the existing rows of the levels a JSON array names (objects with
    /// `sku`, `vendorId` and `hubId`), and returns them; levels with no row are absent.
    static func lockLevels(_ levels: String, in tx: PostgresLease) async throws -> [LockedLevel] {
        try await tx.query(
            """
            SELECT s.id, s.sku, s.vendor_id, s.hub_id, s.quantity
            FROM stock s
            JOIN jsonb_to_recordset(\(levels)::jsonb) AS r(sku text, "vendorId" text, "hubId" text)
                ON s.sku = r.sku AND s.vendor_id = r."vendorId" AND s.hub_id IS NOT DISTINCT FROM r."hubId"
            ORDER BY s.id
            FOR UPDATE OF s
            """
        ).map { row in
            LockedLevel(
                id: try row.decode("id"),
                sku: try row.decode("sku"),
                vendorId: try row.decode("vendor_id"),
                hubId: try row.decode("hub_id"),
                quantity: try row.decode("quantity")
            )
        }
    }

    /// Adds `deltas[id]` to each row, locked by the caller. Throws, changing nothing the caller
    /// keeps, if any row would go below zero: the caller checked already, so that would be a
    /// bug, not a sale.
    static func apply(_ deltas: [Int64: Int], in tx: PostgresLease) async throws {
        guard !deltas.isEmpty else { return }
        let ids = deltas.keys.sorted()
        let amounts = ids.map { deltas[$0]! }
        let updated = try await tx.query(
            """
            UPDATE stock s SET quantity = s.quantity + d.delta, updated_at = now()
            FROM unnest(\(ids)::bigint[], \(amounts)::integer[]) AS d(id, delta)
            WHERE s.id = d.id AND s.quantity + d.delta >= 0
            """
        )
        guard updated.affectedRows == ids.count else {
            throw PostgresError(kind: .usage, message: "a stock level would go below zero; nothing applied")
        }
    }

    /// A positive quantity for a level that had no row when the caller looked; a row a
    /// concurrent writer created meanwhile is added to instead.
    static func addToNewLevel(sku: String, vendorId: String, hubId: String?, quantity: Int, in tx: PostgresLease) async throws {
        precondition(quantity > 0, "a new stock level starts above zero")
        _ = try await tx.query(
            """
            INSERT INTO stock (sku, vendor_id, hub_id, quantity)
            VALUES (\(sku), \(vendorId), \(hubId), \(quantity))
            ON CONFLICT ON CONSTRAINT stock_level DO UPDATE SET quantity = stock.quantity + excluded.quantity, updated_at = now()
            """
        )
    }

    /// Sets the levels a JSON array gives (objects with `sku`, `vendorId`, `hubId` and
    /// `quantity`), creating rows that do not exist; existing rows are locked in id order first.
    static func setLevels(_ levels: String, in tx: PostgresLease) async throws {
        _ = try await lockLevels(levels, in: tx)
        _ = try await tx.query(
            """
            INSERT INTO stock (sku, vendor_id, hub_id, quantity)
            SELECT sku, "vendorId", "hubId", quantity
            FROM jsonb_to_recordset(\(levels)::jsonb) AS r(sku text, "vendorId" text, "hubId" text, quantity integer)
            ORDER BY sku, "vendorId", "hubId"
            ON CONFLICT ON CONSTRAINT stock_level DO UPDATE SET quantity = excluded.quantity, updated_at = now()
            """
        )
    }
}
