import Postgres

/// The stock rows of some SKUs that have an offer, with their vendors and hubs, locked for
/// the rest of the transaction: what the allocation rules choose from.
struct StockSnapshot: Sendable {
    var levels: [AllocationInput.Level]
    var vendors: [String: AllocationInput.Vendor]
    /// Only hubs holding these SKUs: no other hub can serve them.
    var hubs: [AllocationInput.Hub]

    /// Locks the rows in id order (the one order every writer of stock uses), so concurrent
    /// allocations and replicas queue on hot SKUs instead of deadlocking.
    static func lock(skus: Set<String>, in tx: PostgresLease) async throws -> StockSnapshot {
        guard !skus.isEmpty else { return StockSnapshot(levels: [], vendors: [:], hubs: []) }
        let rows = try await tx.query(
            """
            SELECT s.id, s.sku, s.vendor_id, s.hub_id, s.quantity, o.margin,
                   v.name AS vendor_name, v.email AS vendor_email, v.latitude, v.longitude,
                   h.latitude AS hub_latitude, h.longitude AS hub_longitude, h.radius_km, h.active AS hub_active
            FROM stock s
            JOIN offers o ON o.sku = s.sku AND o.vendor_id = s.vendor_id
            JOIN vendors v ON v.id = s.vendor_id
            LEFT JOIN hubs h ON h.id = s.hub_id
            WHERE s.sku = ANY(\(Array(skus))::text[]) AND s.quantity > 0
            ORDER BY s.id
            FOR UPDATE OF s
            """
        )
        var vendors: [String: AllocationInput.Vendor] = [:]
        var hubs: [String: AllocationInput.Hub] = [:]
        let levels = try rows.map { row -> AllocationInput.Level in
            let vendorId: String = try row.decode("vendor_id")
            vendors[vendorId] = AllocationInput.Vendor(
                id: vendorId,
                name: try row.decode("vendor_name"),
                email: try row.decode("vendor_email"),
                point: GeoPoint(latitude: try row.decode("latitude"), longitude: try row.decode("longitude"))
            )
            let hubId: String? = try row.decode("hub_id")
            if let hubId {
                hubs[hubId] = AllocationInput.Hub(
                    id: hubId,
                    point: GeoPoint(latitude: try row.decode("hub_latitude"), longitude: try row.decode("hub_longitude")),
                    radiusKm: try row.decode("radius_km"),
                    active: try row.decode("hub_active")
                )
            }
            return AllocationInput.Level(
                stockId: try row.decode("id"),
                sku: try row.decode("sku"),
                vendorId: vendorId,
                hubId: hubId,
                quantity: try row.decode("quantity"),
                margin: try row.decode("margin")
            )
        }
        return StockSnapshot(levels: levels, vendors: vendors, hubs: hubs.values.sorted { $0.id < $1.id })
    }
}
