import Logging
import Messaging
import Postgres
import ServiceKit

/// Turns order and delivery events into notification jobs. The jobs' unique key (event,
/// channel, recipient) makes a redelivered or republished event create nothing new.
struct NotificationEventConsumer: Sendable {
    let pool: PostgresPool
    let queue: JobQueue
    let planner = NotificationPlanner()
    let contacts = ContactBook()
    let logger: Logger

    static let bindings = [
        ConfirmedOrder.routingKey, AllocatedOrder.routingKey, UnfulfillableOrder.routingKey, DeliveredOrder.routingKey,
        DeliveryStatusChanged.routingKey,
    ]

    struct ContactNotKnownYet: Error, CustomStringConvertible {
        let orderId: String
        var description: String { "no contact for order \(orderId) yet (its order.confirmed has not been handled)" }
    }

    /// Events handed over together (as many as wait, up to the queue's prefetch of 32) share
    /// one transaction.
    static let maxBatch = 32

    func handle(_ message: IncomingMessage) async throws {
        try await handle(batch: [message])
    }

    /// Creates the jobs for several events in one transaction. If any of them fails, the
    /// consumer hands them over again one by one, so one bad event holds no other back.
    func handle(batch messages: [IncomingMessage]) async throws {
        let created: Int = try await pool.withTransaction(retries: 5) { tx in
            var jobs: [NewJob] = []
            for message in messages { jobs += try await self.jobs(for: message, in: tx) }
            return try await queue.enqueue(jobs, in: tx)
        }
        logger.info("notification jobs created", metadata: [
            "events": "\(messages.count)", "event": "\(messages[0].eventType)", "created": "\(created)",
        ])
    }

    private func jobs(for message: IncomingMessage, in tx: PostgresLease) async throws -> [NewJob] {
        switch message.eventType {
        case ConfirmedOrder.routingKey:
            let order = try ConfirmedOrder.decode(message)
            try await contacts.remember(order, in: tx)
            return try planner.confirmed(order)
        case AllocatedOrder.routingKey:
            let order = try AllocatedOrder.decode(message)
            let devices = try await contacts.devices(kind: "vendor", owners: order.sellerOrders.map(\.vendorId), in: tx)
            return try planner.allocated(order, vendorDevices: devices)
        case UnfulfillableOrder.routingKey:
            return try planner.unfulfillable(try UnfulfillableOrder.decode(message))
        case DeliveredOrder.routingKey:
            return try planner.delivered(try DeliveredOrder.decode(message))
        case DeliveryStatusChanged.routingKey:
            let change = try DeliveryStatusChanged.decode(message)
            // Retried through the retry queue until the order's confirmation is handled.
            guard let contact = try await contacts.contact(orderId: change.orderId, in: tx) else {
                throw ContactNotKnownYet(orderId: change.orderId)
            }
            let devices = try await contacts.devices(kind: "customer", owners: contact.customerEmail.map { [$0] } ?? [], in: tx)
            return try planner.statusChanged(change, contact: contact, customerDevices: devices.values.flatMap { $0 })
        default:
            throw PermanentMessageError("NotificationService does not handle \(message.eventType)")
        }
    }
}
