import Testing

@testable import OrderService

@Suite struct OrderStatusTests {
    @Test func theMovesAnOrderMakes() {
        let allowed: Set<[OrderStatus]> = [
            [.confirmed, .allocated], [.confirmed, .allocationFailed], [.allocated, .delivered], [.confirmed, .delivered],
            [.confirmed, .cancelled], [.allocated, .cancelled], [.allocationFailed, .cancelled], [.delivered, .cancelled],
        ]
        for from in OrderStatus.allCases {
            for to in OrderStatus.allCases {
                #expect(from.moves(to: to) == allowed.contains([from, to]), "\(from) → \(to)")
            }
        }
    }

    @Test func onlyAConfirmedOrderTakesAnAllocationAndOnlyACancelledOneRefusesUpdates() {
        #expect(OrderStatus.allCases.filter(\.awaitsAllocation) == [.confirmed])
        #expect(OrderStatus.allCases.filter { !$0.takesUpdates } == [.cancelled])
    }

    @Test func aSellerOrderIsDeliveredOrCancelledOnlyFromAssigned() {
        for from in SellerOrderStatus.allCases {
            for to in SellerOrderStatus.allCases {
                let allowed = (from == .assigned && to != .assigned) || (from == .cancelled && to == .delivered)
                #expect(from.moves(to: to) == allowed, "\(from) → \(to)")
            }
        }
    }

    @Test func theStoredSpellingsAreTheSchemas() {
        #expect(OrderStatus.allCases.map(\.rawValue) == ["confirmed", "allocated", "allocation_failed", "delivered", "cancelled"])
        #expect(SellerOrderStatus.allCases.map(\.rawValue) == ["assigned", "delivered", "cancelled"])
    }
}
