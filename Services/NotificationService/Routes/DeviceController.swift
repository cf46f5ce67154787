import Foundation
import Hummingbird
import Postgres

/// `PUT /devices` (admin token required): registers a push token for a vendor or a customer.
struct DeviceController: Sendable {
    let pool: PostgresPool
    let contacts = ContactBook()

    struct Registration: Codable, Sendable, ResponseEncodable {
        var vendorId: String?
        var customerEmail: String?
        var token: String
        var platform: String
    }

    /// `devices`: the `/devices` group, behind the admin token.
    func addRoutes(to devices: RouterGroup<BasicRequestContext>) {
        devices.put { request, context -> Registration in
            let registration: Registration
            do {
                registration = try await request.decode(as: Registration.self, context: context)
            } catch {
                throw HTTPError(.badRequest, message: "body must be {\"vendorId\" or \"customerEmail\", \"token\", \"platform\"}")
            }
            let owner: (kind: String, id: String)
            switch (registration.vendorId.flatMap(Self.nonEmpty), registration.customerEmail.flatMap(Self.nonEmpty)) {
            case (let vendor?, nil): owner = ("vendor", vendor)
            case (nil, let email?):
                guard email.contains("@") else { throw HTTPError(.badRequest, message: "customerEmail must be an email address") }
                owner = ("customer", email.lowercased())
            default: throw HTTPError(.badRequest, message: "give exactly one of vendorId and customerEmail")
            }
            guard let token = Self.nonEmpty(registration.token), token.count <= 4096 else {
                throw HTTPError(.badRequest, message: "token must be a non-empty string")
            }
            guard let platform = Self.nonEmpty(registration.platform), platform.count <= 32 else {
                throw HTTPError(.badRequest, message: "platform must be a short non-empty string (android, ios, web)")
            }
            try await pool.withTransaction { tx in
                try await contacts.register(token: token, ownerKind: owner.kind, ownerId: owner.id, platform: platform, in: tx)
            }
            return registration
        }
    }

    static func nonEmpty(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty ? nil : trimmed
    }
}
