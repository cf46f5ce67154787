import Common
import Foundation
import Logging
import Messaging
import Postgres
import ServiceKit

/// InventoryService's answer for the lines an edit added (`inventory.allocated` or
/// `inventory.allocation_failed` carrying the edit's revision): allocated lines become seller
/// orders of their own, numbered on from the order's others, announced as `order.allocated`
/// (DeliveryService creates their deliveries, the vendors are told), and the seller orders on
/// their way share what is owed again; refused lines are reported on the order. Applies once:
/// lines already in a seller order are not split again.
struct AddedLinesSplitter: Sendable {
    let pool: PostgresPool
    let logger: Logger
    let sellerOrders = SellerOrderRepository()
    let edits = OrderEditRepository()
    let settlements = SettlementRepository()

    /// The order is not split yet (its own allocation result is behind this one): retried.
    struct NotSplitYet: Error, CustomStringConvertible {
        let orderId: Int64
        var description: String { "order \(orderId) is not split yet; the lines an edit added wait for it" }
    }

    func split(_ result: InventoryAllocated, revision: String, traceparent: String?) async throws {
        guard let id = Int64(result.orderId) else { throw PermanentMessageError("no order \(result.orderId)") }
        try await pool.withTransaction(retries: 5) { tx in
            guard let order = try await sellerOrders.lockOrders(ids: [id], addedBy: revision, in: tx)[id] else {
                throw PermanentMessageError("no order \(result.orderId)")
            }
            switch order.status {
            case .confirmed: throw NotSplitYet(orderId: id)
            case .allocated: break
            case .allocationFailed, .delivered, .cancelled:
                logger.notice(
                    "lines an edit added were allocated for an order no longer shipping",
                    metadata: [LogKey.orderId: "\(id)", LogKey.status: "\(order.status)"]
                )
                return
            }
            let placed = Set(result.lines.map(\.lineItemId))
            let items = order.items.filter { placed.contains($0.lineItemId) }
            guard try await !sellerOrders.anyShipped(items.map(\.id), in: tx) else {
                logger.info("lines an edit added are split already", metadata: [LogKey.orderId: "\(id)"])
                return
            }
            let next = try await sellerOrders.count(orderId: id, in: tx) + 1
            let drafts: [SellerOrderDraft]
            do throws(SellerSplit.Mismatch) {
                drafts = try SellerSplit.split(
                    orderId: id,
                    items: items,
                    placements: result.lines.map(\.placement),
                    remainingAmount: 0,
                    firstNumber: next
                )
            } catch {
                throw PermanentMessageError(error.description)
            }
            guard !drafts.isEmpty else { return }
            try await sellerOrders.insert(drafts.map { ($0, id) }, in: tx)
            try await Outbox.enqueue(OrderAllocated(order, sellerOrders: drafts), traceparent: traceparent, in: tx)
            try await Outbox.enqueue(
                try await sellerOrders.recollect(orderId: id, remaining: order.remainingAmount, in: tx).map {
                    try Outbox.Message($0, traceparent: traceparent)
                },
                in: tx
            )
            logger.info(
                "lines an edit added split per seller",
                metadata: [LogKey.orderId: "\(id)", LogKey.sellerOrders: "\(drafts.count)"]
            )
        }
    }

    func refused(_ result: InventoryAllocationFailed, revision: String) async throws {
        guard let id = Int64(result.orderId) else { throw PermanentMessageError("no order \(result.orderId)") }
        try await pool.withTransaction(retries: 5) { tx in
            guard try await settlements.lockOrder(id: id, in: tx) else { throw PermanentMessageError("no order \(id)") }
            try await sellerOrders.refuseAddedLines(orderId: id, revision: revision, in: tx)
            try await edits.report("the line items an edit added could not be allocated: \(result.reason)", orderId: id, in: tx)
            // They held the order open; without them it may be done.
            if let delivered = try await settlements.completeIfDone(orderId: id, in: tx) {
                try await Outbox.enqueue(delivered, in: tx)
            }
        }
        logger.notice("lines an edit added could not be allocated", metadata: [LogKey.orderId: "\(id)", LogKey.reason: "\(result.reason)"])
    }
}
