import Foundation
import Postgres

/// Stock levels: reading them, and adjusting them atomically with an idempotency key.
struct StockRepository: Sendable {
    let pool: PostgresPool

    struct AdjustmentResult: Codable, Sendable {
        var idempotencyKey: String
        /// True when this key had been applied before and nothing changed now.
        var replayed: Bool
        var levels: [StockLevelView]
    }

    /// Every level of `sku`, or nil if there is no such product.
    func levels(sku: String) async throws -> [StockLevelView]? {
        let rows = try await pool.query(
            """
            SELECT p.sku, s.vendor_id, s.hub_id, s.quantity
            FROM products p LEFT JOIN stock s ON s.sku = p.sku
            WHERE p.sku = \(sku)
            ORDER BY s.vendor_id, s.hub_id NULLS FIRST
            """
        )
        guard !rows.isEmpty else { return nil }
        return try rows.compactMap { row in
            guard let vendorId = try row.decode("vendor_id", as: String?.self) else { return nil }
            return StockLevelView(
                sku: try row.decode("sku"),
                vendorId: vendorId,
                hubId: try row.decode("hub_id"),
                quantity: try row.decode("quantity")
            )
        }
    }

    func adjust(_ request: StockAdjustmentRequest) async throws -> AdjustmentResult {
        let changes = request.netChanges
        let canonical = String(decoding: try JSONEncoder.canonical.encode(changes), as: UTF8.self)
        return try await pool.withTransaction(retries: 5) { tx in
            let first = try await tx.query(
                """
                INSERT INTO stock_adjustments (idempotency_key, changes, reason)
                VALUES (\(request.idempotencyKey), \(canonical)::jsonb, \(request.reason))
                ON CONFLICT (idempotency_key) DO NOTHING
                """
            )
            if first.affectedRows == 0 {
                let same = try await tx.query(
                    """
                    SELECT changes = \(canonical)::jsonb AS same FROM stock_adjustments WHERE idempotency_key = \(request.idempotencyKey)
                    """
                ).scalar("same", as: Bool.self)
                guard same == true else { throw StockAdjustmentError.keyReused(request.idempotencyKey) }
                return AdjustmentResult(
                    idempotencyKey: request.idempotencyKey,
                    replayed: true,
                    levels: try await current(changes, in: tx)
                )
            }
            var byLevel: [String: (id: Int64, quantity: Int)] = [:]
            for level in try await StockMoves.lockLevels(canonical, in: tx) {
                byLevel[Self.key(level.sku, level.vendorId, level.hubId)] = (level.id, level.quantity)
            }
            var deltas: [Int64: Int] = [:]
            var created: [StockAdjustmentRequest.Change] = []
            for change in changes {
                let level = byLevel[Self.key(change.sku, change.vendorId, change.hubId)]
                let quantity = level?.quantity ?? 0
                guard quantity + change.delta >= 0 else {
                    throw StockAdjustmentError.wouldGoNegative(
                        field: field(of: change, in: request),
                        level: StockLevelView(sku: change.sku, vendorId: change.vendorId, hubId: change.hubId, quantity: quantity),
                        delta: change.delta
                    )
                }
                if let level {
                    deltas[level.id] = change.delta
                } else if change.delta > 0 {
                    created.append(change)
                }
            }
            try await StockMoves.apply(deltas, in: tx)
            for change in created { try await create(change, field: field(of: change, in: request), in: tx) }
            return AdjustmentResult(
                idempotencyKey: request.idempotencyKey,
                replayed: false,
                levels: try await current(changes, in: tx)
            )
        }
    }

    /// A new level for a positive change to a level that did not exist yet.
    private func create(_ change: StockAdjustmentRequest.Change, field: String, in tx: PostgresLease) async throws {
        let known = try await tx.query(
            """
            SELECT EXISTS (SELECT 1 FROM products WHERE sku = \(change.sku)) AS product,
                   EXISTS (SELECT 1 FROM vendors WHERE id = \(change.vendorId)) AS vendor,
                   (\(change.hubId)::text IS NULL OR EXISTS (SELECT 1 FROM hubs WHERE id = \(change.hubId))) AS hub
            """
        )[0]
        if try !known.decode("product", as: Bool.self) {
            throw StockAdjustmentError.unknownReference(field: field + ".sku", problem: "is not a known product: \(change.sku)")
        }
        if try !known.decode("vendor", as: Bool.self) {
            throw StockAdjustmentError.unknownReference(field: field + ".vendorId", problem: "is not a known vendor: \(change.vendorId)")
        }
        if try !known.decode("hub", as: Bool.self) {
            throw StockAdjustmentError.unknownReference(field: field + ".hubId", problem: "is not a known hub: \(change.hubId ?? "")")
        }
        try await StockMoves.addToNewLevel(
            sku: change.sku,
            vendorId: change.vendorId,
            hubId: change.hubId,
            quantity: change.delta,
            in: tx
        )
    }

    private func current(_ changes: [StockAdjustmentRequest.Change], in tx: PostgresLease) async throws -> [StockLevelView] {
        try await tx.query(
            """
            SELECT s.sku, s.vendor_id, s.hub_id, s.quantity
            FROM stock s
            JOIN jsonb_to_recordset(\(String(decoding: try JSONEncoder.canonical.encode(changes), as: UTF8.self))::jsonb)
                AS r(sku text, "vendorId" text, "hubId" text)
                ON s.sku = r.sku AND s.vendor_id = r."vendorId" AND s.hub_id IS NOT DISTINCT FROM r."hubId"
            ORDER BY s.sku, s.vendor_id, s.hub_id NULLS FIRST
            """
        ).map { row in
            StockLevelView(
                sku: try row.decode("sku"),
                vendorId: try row.decode("vendor_id"),
                hubId: try row.decode("hub_id"),
                quantity: try row.decode("quantity")
            )
        }
    }

    /// Where a net change came from in the request, for error messages: `changes[2]`.
    private func field(of change: StockAdjustmentRequest.Change, in request: StockAdjustmentRequest) -> String {
        let index =
            request.changes.firstIndex {
                $0.sku == change.sku && $0.vendorId == change.vendorId && $0.hubId == change.hubId
            } ?? 0
        return "changes[\(index)]"
    }

    private static func key(_ sku: String, _ vendorId: String, _ hubId: String?) -> String {
        [sku, vendorId, hubId ?? ""].joined(separator: "\u{1F}")
    }
}

extension JSONEncoder {
    /// Sorted keys, so equal values encode to equal text.
    static var canonical: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}
