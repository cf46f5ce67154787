/// Allocated stock back on the shelf: a cancelled order's, or the units a refund or an edit
/// restocked. Recorded in the allocation's own rows (its status, `restocks`); no service
/// consumes an announcement of it, so none is published (`inventory.released` was, by
/// earlier releases).
struct ReturnedStock: Sendable, Equatable {
    var orderId: String
    var lines: [Line]

    struct Line: Sendable, Equatable {
        var sku: String
        var vendorId: String
        var hubId: String?
        var quantity: Int
    }

    var units: Int { lines.reduce(0) { $0 + $1.quantity } }
}
