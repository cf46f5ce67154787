/// The part of an order event's payment that messages show.
struct EventPayment: Codable, Sendable {
    var method: String
    var totalAmount: String
}
