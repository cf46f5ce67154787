import Foundation
import Postgres

/// Writes a catalog document in one transaction: everything or, on the first bad reference,
/// nothing. Each section is one statement over the document's JSON, whatever its size.
struct CatalogRepository: Sendable {
    let pool: PostgresPool

    struct Counts: Codable, Sendable, Equatable {
        var hubs: Int, vendors: Int, products: Int, offers: Int, stock: Int
    }

    func apply(_ document: CatalogDocument) async throws -> Counts {
        let encoder = JSONEncoder()
        func json(_ value: some Encodable) throws -> String { String(decoding: try encoder.encode(value), as: UTF8.self) }
        let hubs = try json(document.hubs)
        let vendors = try json(document.vendors)
        let products = try json(document.products)
        let offers = try json(document.offers)
        let stock = try json(document.stock)
        // Stock rows are locked in id order, as every writer of stock locks them; products,
        // offers and vendors rows are not, so a rare deadlock with an allocation reading them
        // is possible: the database then picks a victim, and the load is simply run again.
        return try await pool.withTransaction(retries: 3) { tx in
            _ = try await tx.query(
                """
                INSERT INTO hubs (id, name, latitude, longitude, radius_km, active)
                SELECT id, name, latitude, longitude, "radiusKm", active
                FROM jsonb_to_recordset(\(hubs)::jsonb)
                    AS r(id text, name text, latitude float8, longitude float8, "radiusKm" float8, active boolean)
                ON CONFLICT (id) DO UPDATE SET name = excluded.name, latitude = excluded.latitude,
                    longitude = excluded.longitude, radius_km = excluded.radius_km, active = excluded.active,
                    updated_at = now()
                """
            )
            _ = try await tx.query(
                """
                INSERT INTO vendors (id, name, email, latitude, longitude)
                SELECT id, name, email, latitude, longitude
                FROM jsonb_to_recordset(\(vendors)::jsonb)
                    AS r(id text, name text, email text, latitude float8, longitude float8)
                ON CONFLICT (id) DO UPDATE SET name = excluded.name, email = excluded.email,
                    latitude = excluded.latitude, longitude = excluded.longitude, updated_at = now()
                """
            )
            try await firstFailure(
                in: tx,
                """
                SELECT 'products[' || (r.ordinality - 1) || '].shopifyVariantId' AS field,
                       'is already the variant of SKU ' || p.sku AS problem
                FROM jsonb_array_elements(\(products)::jsonb) WITH ORDINALITY AS r(item, ordinality)
                JOIN products p ON p.shopify_variant_id = (r.item->>'shopifyVariantId')::bigint AND p.sku <> r.item->>'sku'
                ORDER BY r.ordinality LIMIT 1
                """
            )
            _ = try await tx.query(
                """
                INSERT INTO products (sku, shopify_variant_id, title)
                SELECT sku, "shopifyVariantId", title
                FROM jsonb_to_recordset(\(products)::jsonb) AS r(sku text, "shopifyVariantId" bigint, title text)
                ON CONFLICT (sku) DO UPDATE SET shopify_variant_id = excluded.shopify_variant_id,
                    title = excluded.title, updated_at = now()
                """
            )
            try await firstFailure(in: tx, Self.unknownReferences(section: "offers", json: offers, hub: false))
            _ = try await tx.query(
                """
                INSERT INTO offers (vendor_id, sku, margin)
                SELECT "vendorId", sku, margin FROM jsonb_to_recordset(\(offers)::jsonb) AS r("vendorId" text, sku text, margin numeric)
                ON CONFLICT (sku, vendor_id) DO UPDATE SET margin = excluded.margin, updated_at = now()
                """
            )
            try await firstFailure(in: tx, Self.unknownReferences(section: "stock", json: stock, hub: true))
            try await StockMoves.setLevels(stock, in: tx)
            return Counts(
                hubs: document.hubs.count,
                vendors: document.vendors.count,
                products: document.products.count,
                offers: document.offers.count,
                stock: document.stock.count
            )
        }
    }

    /// The first item of `section` naming a vendor, SKU (or hub) that exists neither in the
    /// document (already written by now) nor before it. Fields are checked in document order.
    private static func unknownReferences(section: String, json: String, hub: Bool) -> PostgresQuery {
        let sku = """
            WHEN NOT EXISTS (SELECT 1 FROM products p WHERE p.sku = r.item->>'sku')
                THEN 'sku|is not a known product: ' || (r.item->>'sku')
            """
        let vendor = """
            WHEN NOT EXISTS (SELECT 1 FROM vendors v WHERE v.id = r.item->>'vendorId')
                THEN 'vendorId|is not a known vendor: ' || (r.item->>'vendorId')
            """
        let hubCheck = """
            WHEN r.item->>'hubId' IS NOT NULL AND NOT EXISTS (SELECT 1 FROM hubs h WHERE h.id = r.item->>'hubId')
                THEN 'hubId|is not a known hub: ' || (r.item->>'hubId')
            """
        let checks = hub ? [sku, vendor, hubCheck] : [vendor, sku]
        return """
            SELECT '\(unescaped: section)[' || (r.ordinality - 1) || '].' || split_part(c.failure, '|', 1) AS field,
                   split_part(c.failure, '|', 2) AS problem
            FROM jsonb_array_elements(\(json)::jsonb) WITH ORDINALITY AS r(item, ordinality)
            CROSS JOIN LATERAL (SELECT CASE \(unescaped: checks.joined(separator: "\n")) END AS failure) c
            WHERE c.failure IS NOT NULL
            ORDER BY r.ordinality LIMIT 1
            """
    }

    private func firstFailure(in tx: PostgresLease, _ query: PostgresQuery) async throws {
        if let row = try await tx.query(query).first {
            throw CatalogError(field: try row.decode("field"), try row.decode("problem"))
        }
    }
}
