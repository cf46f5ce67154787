import ServiceKit

extension OrderAllocated {
    /// The announcement of an order split into `sellerOrders`.
    init(_ order: SellerOrderRepository.LockedOrder, sellerOrders: [SellerOrderDraft]) {
        self.init(
            orderId: String(order.id),
            shopifyOrderId: String(order.shopifyOrderId),
            shopDomain: order.shopDomain,
            name: order.name,
            currency: order.currency,
            customer: order.customer,
            payment: .init(
                method: order.paymentMethod,
                status: order.paymentStatus,
                totalAmount: Money.format(order.totalAmount),
                collectedAmount: Money.format(order.collectedAmount),
                remainingAmount: Money.format(order.remainingAmount)
            ),
            sellerOrders: sellerOrders.map { draft in
                .init(
                    splitOrderId: draft.splitOrderId,
                    vendorId: draft.vendorId,
                    vendorName: draft.vendorName,
                    vendorEmail: draft.vendorEmail,
                    hubId: draft.hubId,
                    flow: draft.flow,
                    itemsAmount: Money.format(draft.itemsAmount),
                    collectAmount: Money.format(draft.collectAmount),
                    items: draft.items.map {
                        .init(
                            lineItemId: $0.lineItemId,
                            variantId: $0.variantId,
                            sku: $0.sku,
                            title: $0.title,
                            quantity: $0.quantity,
                            price: Money.format($0.price)
                        )
                    }
                )
            }
        )
    }
}
