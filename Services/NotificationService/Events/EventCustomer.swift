/// The customer as order events carry it.
struct EventCustomer: Codable, Sendable {
    var email: String?
    var firstName: String?
    var lastName: String?

    var displayName: String {
        let name = [firstName, lastName].compactMap { $0 }.joined(separator: " ")
        return name.isEmpty ? "customer" : name
    }
}
