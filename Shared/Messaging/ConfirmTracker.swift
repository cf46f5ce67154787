/// Which of a channel's published messages the broker has confirmed, from its basic.ack and
/// basic.nack frames. The broker may answer out of order: a single ack for a later tag can
/// come before a multiple ack that covers earlier ones, so tags confirmed one by one are kept
/// until everything before them is confirmed too.
struct ConfirmTracker: Equatable {
    /// Every tag up to this one is confirmed (acked or refused).
    private(set) var confirmedThrough: UInt64 = 0
    /// Tags beyond `confirmedThrough` confirmed one by one.
    private(set) var outstanding = Set<UInt64>()
    /// Tags the broker refused (basic.nack) since the last `takeRefused()`.
    private var refused = Set<UInt64>()

    mutating func settle(_ tag: UInt64, multiple: Bool, refuse: Bool) {
        if multiple {
            if tag > confirmedThrough {
                if refuse {
                    for t in (confirmedThrough + 1)...tag where !outstanding.contains(t) { refused.insert(t) }
                }
                confirmedThrough = tag
            }
            outstanding = outstanding.filter { $0 > tag }
        } else if tag > confirmedThrough {
            if refuse { refused.insert(tag) }
            outstanding.insert(tag)
        }
        // Whatever was confirmed one by one right after the new mark is confirmed now.
        while outstanding.remove(confirmedThrough + 1) != nil { confirmedThrough += 1 }
    }

    mutating func takeRefused() -> Set<UInt64> {
        defer { refused = [] }
        return refused
    }
}
