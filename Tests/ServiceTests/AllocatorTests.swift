import Foundation
import Testing

@testable import InventoryService

/// The allocation rules (docs/api.md, InventoryService), one by one, on the pure allocator.
@Suite struct AllocatorTests {
    // A customer in central Mumbai, and points at known distances from it.
    static let customer = GeoPoint(latitude: 19.0760, longitude: 72.8777)

    /// A point `km` north of `origin` (a degree of latitude is πR/180 km).
    static func north(of origin: GeoPoint, km: Double) -> GeoPoint {
        GeoPoint(latitude: origin.latitude + km / (GeoPoint.earthRadiusKm * .pi / 180), longitude: origin.longitude)
    }

    static func hub(_ id: String, km: Double, radius: Double, active: Bool = true) -> AllocationInput.Hub {
        .init(id: id, point: north(of: customer, km: km), radiusKm: radius, active: active)
    }

    static func vendor(_ id: String, km: Double) -> AllocationInput.Vendor {
        .init(id: id, name: "Vendor \(id)", email: "\(id.lowercased())@example.com", point: north(of: customer, km: km))
    }

    static func level(
        _ stockId: Int64,
        _ vendor: String,
        hub: String? = nil,
        sku: String = "SKU",
        quantity: Int = 5,
        margin: String = "10"
    ) -> AllocationInput.Level {
        .init(stockId: stockId, sku: sku, vendorId: vendor, hubId: hub, quantity: quantity, margin: Decimal(string: margin)!)
    }

    static func line(_ id: String = "1", sku: String = "SKU", quantity: Int = 1) -> AllocationInput.Line {
        .init(lineItemId: id, sku: sku, quantity: quantity)
    }

    func plan(
        point: GeoPoint? = customer,
        lines: [AllocationInput.Line] = [line()],
        hubs: [AllocationInput.Hub] = [],
        vendors: [AllocationInput.Vendor],
        levels: [AllocationInput.Level]
    ) -> AllocationPlan {
        Allocator.plan(
            AllocationInput(
                customerPoint: point,
                lines: lines,
                hubs: hubs,
                vendors: Dictionary(uniqueKeysWithValues: vendors.map { ($0.id, $0) }),
                levels: levels
            )
        )
    }

    func placements(_ plan: AllocationPlan) -> [AllocationPlan.Placement] {
        if case .allocated(let placements) = plan { return placements }
        return []
    }

    @Test func distancesAreGreatCircle() {
        let oneDegreeNorth = GeoPoint(latitude: 1, longitude: 0)
        #expect(abs(GeoPoint(latitude: 0, longitude: 0).distanceKm(to: oneDegreeNorth) - 111.195) < 0.001)
        // Mumbai to Pune is about 120 km as the crow flies.
        let pune = GeoPoint(latitude: 18.5204, longitude: 73.8567)
        #expect((118...122).contains(Self.customer.distanceKm(to: pune)))
        #expect(Self.customer.distanceKm(to: Self.customer) == 0)
        #expect(abs(Self.customer.distanceKm(to: Self.north(of: Self.customer, km: 10)) - 10) < 1e-6)
    }

    @Test func theCustomerPointIsShippingThenBillingThenNone() {
        let shipping = GeoPoint(latitude: 1, longitude: 2)
        let billing = GeoPoint(latitude: 3, longitude: 4)
        #expect(AllocationInput.customerPoint(shipping: shipping, billing: billing) == shipping)
        #expect(AllocationInput.customerPoint(shipping: nil, billing: billing) == billing)
        #expect(AllocationInput.customerPoint(shipping: GeoPoint(latitude: 95, longitude: 0), billing: billing) == billing)
        #expect(AllocationInput.customerPoint(shipping: GeoPoint(latitude: .nan, longitude: 0), billing: nil) == nil)
        #expect(AllocationInput.customerPoint(shipping: nil, billing: nil) == nil)
    }

    @Test func aHubCoversPointsUpToItsRadiusAndNoFurther() {
        let vendors = [Self.vendor("V1", km: 0), Self.vendor("V2", km: 0)]
        let levels = [Self.level(1, "V1", hub: "H"), Self.level(2, "V2")]
        let inside = plan(hubs: [Self.hub("H", km: 9.999, radius: 10)], vendors: vendors, levels: levels)
        #expect(placements(inside).map(\.flow) == [.hub])
        #expect(placements(inside).map(\.hubId) == ["H"])
        let onEdge = plan(hubs: [Self.hub("H", km: 10, radius: 10)], vendors: vendors, levels: levels)
        #expect(placements(onEdge).map(\.flow) == [.hub], "the edge is covered")
        let outside = plan(hubs: [Self.hub("H", km: 10.001, radius: 10)], vendors: vendors, levels: levels)
        #expect(placements(outside).map(\.flow) == [.normal])
        #expect(placements(outside).map(\.vendorId) == ["V2"])
    }

    @Test func inactiveHubsAreSkipped() {
        let vendors = [Self.vendor("V1", km: 0), Self.vendor("V2", km: 0)]
        let levels = [Self.level(1, "V1", hub: "CLOSED"), Self.level(2, "V1", hub: "OPEN")]
        let result = plan(
            hubs: [Self.hub("CLOSED", km: 1, radius: 50, active: false), Self.hub("OPEN", km: 20, radius: 50)],
            vendors: vendors,
            levels: levels
        )
        #expect(placements(result).map(\.hubId) == ["OPEN"])
    }

    @Test func theNearestCoveringHubWithTheFullQuantityWins() {
        let vendors = [Self.vendor("V1", km: 0)]
        let hubs = [Self.hub("FAR", km: 30, radius: 50), Self.hub("NEAR", km: 5, radius: 50), Self.hub("MID", km: 15, radius: 50)]
        let levels = [
            Self.level(1, "V1", hub: "FAR", quantity: 9),
            Self.level(2, "V1", hub: "NEAR", quantity: 2),  // too little for 3
            Self.level(3, "V1", hub: "MID", quantity: 3),
        ]
        let result = plan(lines: [Self.line(quantity: 3)], hubs: hubs, vendors: vendors, levels: levels)
        #expect(placements(result).map(\.hubId) == ["MID"])
        #expect(placements(result).map(\.stockId) == [3])
        let two = plan(lines: [Self.line(quantity: 2)], hubs: hubs, vendors: vendors, levels: levels)
        #expect(placements(two).map(\.hubId) == ["NEAR"])
    }

    @Test func withinAHubTheHighestMarginVendorWinsThenTheLowerVendorId() {
        let vendors = [Self.vendor("A", km: 40), Self.vendor("B", km: 1), Self.vendor("C", km: 1)]
        let hubs = [Self.hub("H", km: 1, radius: 10)]
        let levels = [
            Self.level(1, "B", hub: "H", margin: "12.5"), Self.level(2, "A", hub: "H", margin: "12.50"),
            Self.level(3, "C", hub: "H", margin: "12.49"),
        ]
        let result = plan(hubs: hubs, vendors: vendors, levels: levels)
        #expect(placements(result).map(\.vendorId) == ["A"], "equal margins: vendor id decides, not distance")
        let higher = plan(hubs: hubs, vendors: vendors, levels: levels + [Self.level(4, "C", hub: "H", sku: "SKU", margin: "12.51")])
        #expect(placements(higher).map(\.vendorId) == ["C"])
    }

    @Test func aHubWithoutTheSKUFallsBackToTheNormalFlow() {
        let vendors = [Self.vendor("V1", km: 3)]
        let result = plan(
            hubs: [Self.hub("H", km: 1, radius: 10)],
            vendors: vendors,
            levels: [Self.level(1, "V1", hub: "H", sku: "OTHER"), Self.level(2, "V1")]
        )
        #expect(placements(result).map(\.flow) == [.normal])
        #expect(placements(result).map(\.hubId) == [nil])
    }

    @Test func normalFlowTakesTheHighestMarginThenTheNearestThenTheLowerVendorId() {
        let vendors = [Self.vendor("FAR", km: 50), Self.vendor("NEAR", km: 5), Self.vendor("ALSO-NEAR", km: 5), Self.vendor("RICH", km: 500)]
        let levels = [
            Self.level(1, "FAR", margin: "8"), Self.level(2, "NEAR", margin: "8"), Self.level(3, "ALSO-NEAR", margin: "8"),
        ]
        #expect(placements(plan(vendors: vendors, levels: levels)).map(\.vendorId) == ["ALSO-NEAR"])
        #expect(placements(plan(vendors: vendors, levels: levels + [Self.level(4, "RICH", margin: "8.01")])).map(\.vendorId) == ["RICH"])
        #expect(placements(plan(vendors: vendors, levels: Array(levels.prefix(2)))).map(\.vendorId) == ["NEAR"])
    }

    @Test func normalFlowNeedsTheFullQuantityAtOneVendorAndIgnoresHubStock() {
        let vendors = [Self.vendor("BIG", km: 50), Self.vendor("SMALL", km: 1)]
        let levels = [
            Self.level(1, "SMALL", quantity: 2, margin: "20"), Self.level(2, "BIG", quantity: 3, margin: "5"),
            Self.level(3, "SMALL", hub: "H", quantity: 100, margin: "50"),
        ]
        #expect(placements(plan(lines: [Self.line(quantity: 3)], vendors: vendors, levels: levels)).map(\.vendorId) == ["BIG"])
        #expect(plan(lines: [Self.line(quantity: 4)], vendors: vendors, levels: levels) == .unfillable([Self.line(quantity: 4)]))
    }

    @Test func withoutAPointTheNormalFlowBreaksTiesByVendorId() {
        let vendors = [Self.vendor("B", km: 1), Self.vendor("A", km: 900)]
        let result = plan(
            point: nil,
            hubs: [Self.hub("H", km: 0, radius: 100)],
            vendors: vendors,
            levels: [Self.level(1, "B"), Self.level(2, "A"), Self.level(3, "B", hub: "H", margin: "99")]
        )
        #expect(placements(result).map(\.vendorId) == ["A"], "no point: no hub flow and no distance")
        #expect(placements(result).map(\.flow) == [.normal])
    }

    @Test func everyLineOrNone() {
        let vendors = [Self.vendor("V1", km: 1), Self.vendor("V2", km: 2)]
        let levels = [Self.level(1, "V1", sku: "A"), Self.level(2, "V2", sku: "B")]
        let both = plan(lines: [Self.line("1", sku: "A"), Self.line("2", sku: "B")], vendors: vendors, levels: levels)
        #expect(placements(both).map(\.vendorId) == ["V1", "V2"])
        let missing = plan(lines: [Self.line("1", sku: "A"), Self.line("2", sku: "C")], vendors: vendors, levels: levels)
        #expect(missing == .unfillable([Self.line("2", sku: "C")]))
    }

    @Test func twoLinesOfOneSKUNeverCountAUnitTwice() {
        let vendors = [Self.vendor("V1", km: 1), Self.vendor("V2", km: 2)]
        let levels = [Self.level(1, "V1", quantity: 3, margin: "9"), Self.level(2, "V2", quantity: 1, margin: "1")]
        let lines = [Self.line("1", quantity: 2), Self.line("2", quantity: 1), Self.line("3", quantity: 1)]
        let result = plan(lines: lines, vendors: vendors, levels: levels)
        #expect(placements(result).map(\.stockId) == [1, 1, 2])
        let tooMuch = plan(lines: lines + [Self.line("4", quantity: 1)], vendors: vendors, levels: levels)
        #expect(tooMuch == .unfillable([Self.line("4", quantity: 1)]))
    }

    @Test func linesWithoutAKnownSKUOrQuantityAreUnfillable() {
        let vendors = [Self.vendor("V1", km: 1)]
        #expect(plan(lines: [Self.line(sku: "")], vendors: vendors, levels: [Self.level(1, "V1")]) == .unfillable([Self.line(sku: "")]))
        #expect(plan(lines: [Self.line(quantity: 0)], vendors: vendors, levels: [Self.level(1, "V1")]) == .unfillable([Self.line(quantity: 0)]))
    }
}
