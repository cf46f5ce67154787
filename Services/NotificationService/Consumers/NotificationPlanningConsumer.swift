import Common
import Logging
import Messaging
import Postgres
import ServiceKit

/// Turns order and delivery events into notification jobs. The jobs' unique key (event,
/// channel, recipient) makes a redelivered or republished event create nothing new.
struct NotificationPlanningConsumer: Sendable {
    let pool: PostgresPool
    let queue: JobQueue
    let planner = NotificationPlanner()
    let contacts = ContactBook()
    let logger: Logger

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

    /// Creates the jobs for several events in one transaction, with one statement each for
    /// the batch's order contacts and vendor devices, however many events it holds. If any
    /// event fails, the consumer hands them over again one by one, so one bad event holds no
    /// other back.
    func handle(batch messages: [IncomingMessage]) async throws {
        let events = try messages.map(Event.init)
        let created: Int = try await pool.withTransaction(retries: 5) { tx in
            try await contacts.remember(events.compactMap(\.confirmed), in: tx)
            let vendors = Set(
                events.compactMap(\.allocated).flatMap { $0.sellerOrders.map(\.vendorId) }
                    + events.compactMap(\.sellerOrderCancelled).map(\.vendorId) + events.compactMap(\.collectionChanged).map(\.vendorId)
                    + events.compactMap(\.sellerOrderChanged).map(\.vendorId)
            )
            let vendorDevices = try await contacts.devices(kind: "vendor", owners: vendors.sorted(), in: tx)
            var jobs: [NewJob] = []
            for event in events { jobs += try await self.jobs(for: event, vendorDevices: vendorDevices, in: tx) }
            return try await queue.enqueue(jobs, in: tx)
        }
        logger.info(
            "notification jobs created",
            metadata: [
                LogKey.messages: "\(messages.count)", LogKey.amqpRoutingKey: "\(messages[0].eventType)", LogKey.created: "\(created)",
            ]
        )
    }

    /// An event this service handles, read from its message.
    private enum Event {
        case confirmed(OrderConfirmed)
        case allocated(OrderAllocated)
        case unfulfillable(OrderAllocationFailed)
        case delivered(OrderDelivered)
        case statusChanged(DeliveryStatusChanged)
        case sellerOrderCancelled(SellerOrderCancelled)
        case collectionChanged(SellerOrderCollectionChanged)
        case sellerOrderChanged(SellerOrderChanged)

        init(_ message: IncomingMessage) throws {
            switch message.eventType {
            case OrderConfirmed.routingKey: self = .confirmed(try OrderConfirmed.decode(message))
            case OrderAllocated.routingKey: self = .allocated(try OrderAllocated.decode(message))
            case OrderAllocationFailed.routingKey: self = .unfulfillable(try OrderAllocationFailed.decode(message))
            case OrderDelivered.routingKey: self = .delivered(try OrderDelivered.decode(message))
            case DeliveryStatusChanged.routingKey: self = .statusChanged(try DeliveryStatusChanged.decode(message))
            case SellerOrderCancelled.routingKey: self = .sellerOrderCancelled(try SellerOrderCancelled.decode(message))
            case SellerOrderCollectionChanged.routingKey: self = .collectionChanged(try SellerOrderCollectionChanged.decode(message))
            case SellerOrderChanged.routingKey: self = .sellerOrderChanged(try SellerOrderChanged.decode(message))
            default: throw PermanentMessageError("NotificationService does not handle \(message.eventType)")
            }
        }

        var confirmed: OrderConfirmed? {
            if case .confirmed(let order) = self { order } else { nil }
        }

        var allocated: OrderAllocated? {
            if case .allocated(let order) = self { order } else { nil }
        }

        var sellerOrderCancelled: SellerOrderCancelled? {
            if case .sellerOrderCancelled(let cancelled) = self { cancelled } else { nil }
        }

        var collectionChanged: SellerOrderCollectionChanged? {
            if case .collectionChanged(let changed) = self { changed } else { nil }
        }

        var sellerOrderChanged: SellerOrderChanged? {
            if case .sellerOrderChanged(let changed) = self { changed } else { nil }
        }
    }

    private func jobs(for event: Event, vendorDevices: [String: [String]], in tx: PostgresLease) async throws -> [NewJob] {
        switch event {
        case .confirmed(let order):
            return try planner.confirmed(order)
        case .allocated(let order):
            return try planner.allocated(order, vendorDevices: vendorDevices)
        case .unfulfillable(let order):
            return try planner.unfulfillable(order)
        case .delivered(let order):
            return try planner.delivered(order)
        case .sellerOrderCancelled(let cancelled):
            return try planner.sellerOrderCancelled(cancelled, vendorDevices: vendorDevices)
        case .collectionChanged(let changed):
            return try planner.collectionChanged(changed, vendorDevices: vendorDevices)
        case .sellerOrderChanged(let changed):
            return try planner.sellerOrderChanged(changed, vendorDevices: vendorDevices)
        case .statusChanged(let change):
            // Retried through the retry queue until the order's confirmation is handled.
            guard let contact = try await contacts.contact(orderId: change.orderId, in: tx) else {
                throw ContactNotKnownYet(orderId: change.orderId)
            }
            let devices = try await contacts.devices(kind: "customer", owners: contact.customerEmail.map { [$0] } ?? [], in: tx)
            return try planner.statusChanged(change, contact: contact, customerDevices: devices.values.flatMap { $0 })
        }
    }
}
