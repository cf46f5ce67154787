import Foundation
import Postgres
import ServiceKit

extension AllocationRepository {
    /// Allocates the lines an edit added into the order's allocation, in the caller's
    /// transaction: once per revision (`allocation_additions`), all lines or none, by the
    /// rules of `order.confirmed`, and only while the order's allocation holds its stock (a
    /// refused, released or cancelled order takes nothing more). The results carry the
    /// revision, so OrderService tells them from the order's own allocation.
    func allocateAdditions(_ added: OrderLinesAdded, in tx: PostgresLease) async throws -> Outcome {
        guard
            let status = try await tx.query(
                "SELECT status FROM allocations WHERE order_id = \(added.orderId) FOR UPDATE"
            ).scalar("status", as: String.self)
        else { throw RestockRepository.NotAllocatedYet(orderId: added.orderId) }
        let first =
            try await tx.query(
                """
                INSERT INTO allocation_additions (order_id, revision) VALUES (\(added.orderId), \(added.revision)) ON CONFLICT DO NOTHING
                """
            ).affectedRows == 1
        guard first else { return .alreadyHandled }
        guard status == "allocated" else {
            return .failed(
                InventoryAllocationFailed(
                    orderId: added.orderId,
                    shopifyOrderId: added.shopifyOrderId,
                    shopDomain: added.shopDomain,
                    reason: "the order's allocation is \(status); added lines are not allocated",
                    unfilledLines: [],
                    revision: added.revision
                )
            )
        }
        switch try await place([added.asConfirmed], markingRefused: false, in: tx)[added.orderId] ?? .alreadyHandled {
        case .allocated(var event):
            event.revision = added.revision
            return .allocated(event)
        case .failed(var event):
            event.revision = added.revision
            return .failed(event)
        case .alreadyHandled:
            return .alreadyHandled
        }
    }
}
