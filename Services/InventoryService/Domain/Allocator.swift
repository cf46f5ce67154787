/// The allocation rules (docs/api.md, InventoryService), free of I/O:
/// 1. the customer's point (shipping, else billing; with neither, straight to NORMAL);
/// 2. HUB flow: active hubs whose radius covers the point, nearest first (then hub id); a line
///    goes to the first that stocks its full quantity, from the vendor with the highest
///    margin in that hub's stock for the SKU (then vendor id);
/// 3. NORMAL flow: vendors with non-hub stock of the full quantity, highest margin first,
///    nearest to the customer breaking a tie, then vendor id;
/// 4. all lines or none.
/// Lines are placed in order, each seeing the stock the earlier ones took, so two lines of one
/// SKU never count the same unit twice.
enum Allocator {
    /// A hub covers a point on its edge; the tolerance absorbs floating-point error there.
    static let edgeToleranceKm = 1e-6

    static func plan(_ input: AllocationInput) -> AllocationPlan {
        var remaining = Dictionary(input.levels.map { ($0.stockId, $0.quantity) }, uniquingKeysWith: { first, _ in first })
        let hubs = coveringHubs(input)
        var placements: [AllocationPlan.Placement] = []
        var unfilled: [AllocationInput.Line] = []
        for line in input.lines {
            guard line.quantity > 0,
                let placement = place(line, hubs: hubs, input: input, remaining: remaining)
            else {
                unfilled.append(line)
                continue
            }
            remaining[placement.stockId, default: 0] -= line.quantity
            placements.append(placement)
        }
        return unfilled.isEmpty ? .allocated(placements) : .unfillable(unfilled)
    }

    /// Active hubs covering the customer's point, nearest first.
    static func coveringHubs(_ input: AllocationInput) -> [AllocationInput.Hub] {
        guard let point = input.customerPoint else { return [] }
        return input.hubs
            .filter { $0.active && $0.point.isValid }
            .map { (hub: $0, distance: point.distanceKm(to: $0.point)) }
            .filter { $0.distance <= $0.hub.radiusKm + edgeToleranceKm }
            .sorted { ($0.distance, $0.hub.id) < ($1.distance, $1.hub.id) }
            .map(\.hub)
    }

    private static func place(
        _ line: AllocationInput.Line,
        hubs: [AllocationInput.Hub],
        input: AllocationInput,
        remaining: [Int64: Int]
    ) -> AllocationPlan.Placement? {
        let candidates = input.levels.filter { $0.sku == line.sku && remaining[$0.stockId, default: 0] >= line.quantity }
        for hub in hubs {
            let best = candidates.filter { $0.hubId == hub.id }
                .min { ($1.margin, $0.vendorId) < ($0.margin, $1.vendorId) }
            if let best {
                return .init(line: line, stockId: best.stockId, vendorId: best.vendorId, hubId: hub.id, flow: .hub)
            }
        }
        func distance(_ level: AllocationInput.Level) -> Double {
            guard let point = input.customerPoint, let vendor = input.vendors[level.vendorId], vendor.point.isValid else {
                return .infinity
            }
            return point.distanceKm(to: vendor.point)
        }
        let best = candidates.filter { $0.hubId == nil && input.vendors[$0.vendorId] != nil }
            .map { (level: $0, distance: distance($0)) }
            .min { a, b in
                if a.level.margin != b.level.margin { return a.level.margin > b.level.margin }
                if a.distance != b.distance { return a.distance < b.distance }
                return a.level.vendorId < b.level.vendorId
            }
        return best.map {
            .init(line: line, stockId: $0.level.stockId, vendorId: $0.level.vendorId, hubId: nil, flow: .normal)
        }
    }
}
