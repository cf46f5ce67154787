/// How a Shiprocket webhook found for a delivery relates to its shipment, purely from the
/// AWBs and the delivery's state: the one place that decides whether an event moves the
/// delivery, starts a re-shipment, or is history only.
enum ShipmentMatch: Equatable {
    /// The delivery's shipment (same AWB, or the webhook names none).
    case sameShipment
    /// The delivery had no AWB yet: this is its first.
    case firstAWB
    /// A new AWB, with an event not earlier than the shipment's last, after the courier cancelled, lost or returned the
    /// shipment, or reassigned it before pickup: a re-shipment of the same seller order, which
    /// starts again from pending. Never for a seller order that was cancelled.
    case reshipment
    /// An earlier shipment's AWB, another AWB while the shipment is on its way, or one whose
    /// event is earlier than the shipment's (a reassignment arriving out of order): history
    /// only.
    case otherShipment

    static func decide(
        deliveryAWB: String?,
        webhookAWB: String?,
        isReplacedAWB: Bool,
        status: DeliveryStatus,
        cancelledByOrder: Bool,
        isLaterEvent: Bool
    ) -> ShipmentMatch {
        if isReplacedAWB { return .otherShipment }
        guard let webhookAWB, webhookAWB != deliveryAWB else { return .sameShipment }
        guard deliveryAWB != nil else { return .firstAWB }
        guard !cancelledByOrder, isLaterEvent else { return .otherShipment }
        switch status {
        case .cancelled, .lost, .rtoDelivered, .pending, .pickupScheduled: return .reshipment
        case .pickedUp, .inTransit, .outForDelivery, .undelivered, .rtoInProgress, .delivered: return .otherShipment
        }
    }
}
