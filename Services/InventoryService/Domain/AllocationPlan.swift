/// The outcome of the allocation rules for one order: every line placed, or the lines that
/// could not be.
enum AllocationPlan: Sendable, Equatable {
    case allocated([Placement])
    case unfillable([AllocationInput.Line])

    enum Flow: String, Sendable, Codable {
        case hub = "HUB"
        case normal = "NORMAL"
    }

    struct Placement: Sendable, Hashable {
        var line: AllocationInput.Line
        var stockId: Int64
        var vendorId: String
        var hubId: String?
        var flow: Flow
    }
}
