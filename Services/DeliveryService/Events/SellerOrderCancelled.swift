import ServiceKit

/// The part of OrderService's `seller_order.cancelled` this service reads: the shipment is
/// cancelled unless it was delivered.
struct SellerOrderCancelled: IntegrationEvent {
    static let route = EventRoute.sellerOrderCancelled

    var splitOrderId: String
    var orderId: String
}
