/// Retires `marketplace.unrouted`, the unbounded queue of earlier releases, which nothing
/// drains. A queue's arguments cannot change in place, so the bounded queue has a name of its
/// own; once it is bound, the fanout exchange copies every unrouted event to both, and the old
/// queue holds nothing the new one lacks except what came before. So an empty old queue is
/// deleted, and one holding events is unbound (it stops growing) and kept for an operator to
/// read and delete.
enum LegacyUnroutedQueue {
    enum Outcome: Equatable {
        /// There is none, or it was empty and is deleted.
        case gone
        /// Unbound; it still holds this many events.
        case kept(messages: Int)
    }

    /// On a connection of its own: a check for a missing queue closes its channel.
    static func retire(settings: AMQPSettings) throws -> Outcome {
        let connection = try AMQPConnection(settings: settings)
        defer { connection.close() }
        let messages: Int
        do {
            messages = try connection.messageCount(queue: Topology.legacyUnroutedQueue)
        } catch let error as AMQPError where error.kind == .server && error.message.contains(" 404 ") {
            return .gone
        }
        if messages == 0 {
            try connection.deleteQueue(Topology.legacyUnroutedQueue, ifEmpty: false)
            return .gone
        }
        try connection.unbindQueue(Topology.legacyUnroutedQueue, exchange: Topology.unroutedExchange, routingKey: "")
        return .kept(messages: messages)
    }
}
