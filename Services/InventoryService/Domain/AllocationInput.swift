import Foundation

/// What the allocation rules look at, read from the catalog for one order. Plain values, so
/// the rules are pure functions of them.
struct AllocationInput: Sendable {
    /// The customer's point: shipping address, else billing address, else none.
    var customerPoint: GeoPoint?
    var lines: [Line]
    var hubs: [Hub]
    var vendors: [String: Vendor]
    /// Levels of the order's SKUs that have an offer (margin) from their vendor.
    var levels: [Level]

    struct Line: Sendable, Hashable {
        var lineItemId: String
        var sku: String
        var quantity: Int
    }

    struct Hub: Sendable, Hashable {
        var id: String
        var point: GeoPoint
        var radiusKm: Double
        var active: Bool
    }

    struct Vendor: Sendable, Hashable {
        var id: String
        var name: String
        var email: String
        var point: GeoPoint
    }

    struct Level: Sendable, Hashable {
        var stockId: Int64
        var sku: String
        var vendorId: String
        var hubId: String?
        var quantity: Int
        var margin: Decimal
    }

    /// The first valid point of the candidates, in order: shipping, then billing.
    static func customerPoint(shipping: GeoPoint?, billing: GeoPoint?) -> GeoPoint? {
        [shipping, billing].compactMap { $0 }.first(where: \.isValid)
    }
}
