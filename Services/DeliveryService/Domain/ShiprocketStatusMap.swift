/// Every Shiprocket shipment status code (`shipment_status_id`, the list in
/// fixtures/shiprocket/status-codes.json) and the internal status it means. The one place
/// this mapping lives; a code not listed is stored and reported, never guessed.
enum ShiprocketStatusMap {
    static let table: [Int: DeliveryStatus] = [
        // Order created, being prepared: nothing has moved yet.
        0: .pending,  // New
        // A request, not a cancellation: ranked lowest, so it never moves a delivery.
        16: .pending,  // Cancellation Requested
        1: .pending,  // AWB Assigned
        2: .pending,  // Label Generated
        11: .pending,  // Pending
        52: .pending,  // Shipment Booked
        59: .pending,  // Box Packing
        60: .pending,  // FC Allocated
        61: .pending,  // Picklist Generated
        62: .pending,  // Ready To Pack
        63: .pending,  // Packed
        67: .pending,  // FC Manifest Generated
        68: .pending,  // Processed at Warehouse
        72: .pending,  // Packed Exception
        // A pickup is arranged (or being retried).
        3: .pickupScheduled,  // Pickup Scheduled/Generated
        4: .pickupScheduled,  // Pickup Queued
        5: .pickupScheduled,  // Manifest Generated
        13: .pickupScheduled,  // Pickup Error
        15: .pickupScheduled,  // Pickup Rescheduled
        19: .pickupScheduled,  // Out For Pickup
        20: .pickupScheduled,  // Pickup Exception
        27: .pickupScheduled,  // Pickup Booked
        // The courier has it.
        6: .pickedUp,  // Shipped
        42: .pickedUp,  // Picked Up
        51: .pickedUp,  // Handover to Courier
        71: .pickedUp,  // Handover Exception
        // On its way.
        18: .inTransit,  // In Transit
        22: .inTransit,  // Delayed
        38: .inTransit,  // Reached at Destination Hub
        39: .inTransit,  // Misrouted
        48: .inTransit,  // Reached Warehouse
        49: .inTransit,  // Custom Cleared
        50: .inTransit,  // In Flight
        54: .inTransit,  // In Transit Overseas
        55: .inTransit,  // Connection Aligned
        56: .inTransit,  // Reached Overseas Warehouse
        57: .inTransit,  // Custom Cleared Overseas
        17: .outForDelivery,  // Out For Delivery
        // Delivered: settles the shipment's amount.
        7: .delivered,  // Delivered
        26: .delivered,  // Fulfilled
        43: .delivered,  // Self Fulfilled
        // An attempt failed, or only part arrived: needs attention, not settlement.
        21: .undelivered,  // Undelivered
        23: .undelivered,  // Partial Delivered
        47: .undelivered,  // QC Failed
        77: .undelivered,  // Issue Related to the Recipient
        // Coming back to the seller.
        9: .rtoInProgress,  // RTO Initiated
        14: .rtoInProgress,  // RTO Acknowledged
        40: .rtoInProgress,  // RTO NDR
        41: .rtoInProgress,  // RTO OFD
        46: .rtoInProgress,  // RTO In Transit
        75: .rtoInProgress,  // RTO Lock
        78: .rtoInProgress,  // Reached Back at Seller City
        10: .rtoDelivered,  // RTO Delivered
        8: .cancelled,  // Canceled
        45: .cancelled,  // Cancelled Before Dispatched
        12: .lost,  // Lost
        24: .lost,  // Destroyed
        25: .lost,  // Damaged
        44: .lost,  // Disposed Off
        76: .lost,  // Untraceable
    ]

    static func status(forCode code: Int) -> DeliveryStatus? { table[code] }
}
