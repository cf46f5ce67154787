import Foundation

/// A seller order about to be created: the lines one vendor ships, and what its courier
/// collects.
struct SellerOrderDraft: Sendable, Equatable {
    var splitOrderId: String
    var vendorId: String
    var vendorName: String
    var vendorEmail: String
    var hubId: String?
    var flow: String
    var itemsAmount: Decimal
    var collectAmount: Decimal
    var items: [OrderItem]
}
