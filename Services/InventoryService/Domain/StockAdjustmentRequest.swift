import Foundation

/// The body of `POST /admin/stock/adjustments`: deltas applied all together or not at all.
struct StockAdjustmentRequest: Decodable, Sendable {
    var idempotencyKey: String
    var changes: [Change]
    var reason: String?

    struct Change: Decodable, Sendable, Encodable, Hashable {
        var sku: String, vendorId: String, hubId: String?, delta: Int

        enum CodingKeys: String, CodingKey { case sku, vendorId, hubId, delta }

        init(from decoder: any Decoder) throws {
            let fields = try FieldReader(decoder, keys: CodingKeys.self)
            sku = try fields.text(.sku)
            vendorId = try fields.text(.vendorId)
            hubId = try fields.optionalText(.hubId)
            delta = try fields.wholeNumber(.delta, in: -Int(Int32.max)...Int(Int32.max))
        }
    }

    enum CodingKeys: String, CodingKey { case idempotencyKey, changes, reason }

    init(from decoder: any Decoder) throws {
        let fields = try FieldReader(decoder, keys: CodingKeys.self)
        idempotencyKey = try fields.text(.idempotencyKey)
        changes = try fields.container.decode([Change].self, forKey: .changes)
        guard !changes.isEmpty else { throw fields.fail(.changes, "must list at least one change") }
        reason = try fields.container.decodeIfPresent(String.self, forKey: .reason)
    }

    static func parse(_ data: Data) throws(CatalogError) -> StockAdjustmentRequest {
        try CatalogError.decode(StockAdjustmentRequest.self, from: data)
    }

    /// The net change per level: several changes to one level count as their sum, so "never
    /// below zero" is about the result, not the order the changes were listed in.
    var netChanges: [Change] {
        var totals: [Change: Int] = [:]
        for change in changes {
            var level = change
            level.delta = 0
            totals[level, default: 0] += change.delta
        }
        return totals.map { level, delta in
            var change = level
            change.delta = delta
            return change
        }.sorted { ($0.sku, $0.vendorId, $0.hubId ?? "") < ($1.sku, $1.vendorId, $1.hubId ?? "") }
    }
}
