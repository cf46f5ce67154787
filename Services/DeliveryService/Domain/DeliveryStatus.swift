/// A delivery's internal status. Statuses only move forward: `rank` orders them, and a
/// terminal status never changes again.
enum DeliveryStatus: String, Sendable, Codable, CaseIterable {
    case pending
    case pickupScheduled = "pickup_scheduled"
    case pickedUp = "picked_up"
    case inTransit = "in_transit"
    case outForDelivery = "out_for_delivery"
    case undelivered
    case rtoInProgress = "rto_in_progress"
    case rtoDelivered = "rto_delivered"
    case delivered
    case cancelled
    case lost

    /// Out for delivery and undelivered share a rank: a failed attempt is followed by another
    /// attempt, and either may come next.
    var rank: Int {
        switch self {
        case .pending: 0
        case .pickupScheduled: 1
        case .pickedUp: 2
        case .inTransit: 3
        case .outForDelivery, .undelivered: 4
        case .rtoInProgress: 5
        case .delivered, .rtoDelivered, .cancelled, .lost: 6
        }
    }

    var isTerminal: Bool { rank == 6 }

    /// Whether a cancelled seller order's shipment can simply be called off: only before the
    /// courier has it. Once picked up, the parcel is on its way and only the courier's own
    /// events (delivered, or returned to origin) say how it ends.
    var isCancellableBeforePickup: Bool { self == .pending || self == .pickupScheduled }
}
