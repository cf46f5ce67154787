/// Where one seller order (the part of an order one vendor ships) stands
/// (`seller_orders.status`).
enum SellerOrderStatus: String, Sendable, Codable, CaseIterable {
    /// Given to its vendor; its shipment is on its way.
    case assigned
    /// Its shipment arrived and what the courier collected is settled.
    case delivered
    case cancelled

    /// Only an assigned seller order is delivered or cancelled: a repeated delivery settles
    /// nothing twice, and a delivered shipment is not cancelled. A cancelled one can still be
    /// delivered, once: its parcel was with the courier already, and the cash its courier
    /// collected counts.
    func moves(to next: SellerOrderStatus) -> Bool {
        (self == .assigned && next != .assigned) || (self == .cancelled && next == .delivered)
    }
}
