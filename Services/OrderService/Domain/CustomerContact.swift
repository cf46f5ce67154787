/// How to reach an order's customer, as the API and the events show it.
struct CustomerContact: Codable, Sendable, Equatable {
    var email: String?
    var firstName: String?
    var lastName: String?
    var phone: String?
}
