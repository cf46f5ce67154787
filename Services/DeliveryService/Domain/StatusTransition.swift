import Foundation

/// Whether a status event moves a delivery, purely from the two statuses and their times.
enum StatusTransition {
    enum Decision: Equatable {
        case apply
        /// Kept in the history only: late, repeated, backwards, after a terminal status, or
        /// a code the mapping does not know.
        case history
    }

    static func decide(current: DeliveryStatus, at currentAt: Date?, next: DeliveryStatus?, at nextAt: Date?) -> Decision {
        guard let next, !current.isTerminal, next != current else { return .history }
        if next.rank > current.rank { return .apply }
        // Same rank (another delivery attempt after a failed one, or the other way round):
        // the later event wins; an event without a time cannot overtake one with a time.
        if next.rank == current.rank, let nextAt, nextAt >= (currentAt ?? .distantPast) { return .apply }
        return .history
    }
}
