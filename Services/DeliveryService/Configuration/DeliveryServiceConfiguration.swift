import ServiceKit

/// Everything DeliveryService reads from the environment (docs/configuration.md; and the optional
/// tracking confirmation below).
struct DeliveryServiceConfiguration: Sendable {
    var service: ServiceConfiguration
    var shiprocketWebhookToken: String?
    /// When set, a COD or partially paid shipment reported delivered is settled only once
    /// Shiprocket's tracking API confirms it (the webhook's static token proves little).
    var tracking: ShiprocketTracking.Settings?

    init(environment: Environment) throws {
        service = try ServiceConfiguration(serviceName: "DeliveryService", defaultPort: 8083, environment: environment)
        shiprocketWebhookToken = environment["SHIPROCKET_WEBHOOK_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        if let url = environment["SHIPROCKET_API_URL"], !url.isEmpty {
            guard let email = environment["SHIPROCKET_API_EMAIL"], let password = environment["SHIPROCKET_API_PASSWORD"],
                !email.isEmpty, !password.isEmpty
            else {
                throw ConfigurationError("SHIPROCKET_API_URL is set, so SHIPROCKET_API_EMAIL and SHIPROCKET_API_PASSWORD are required")
            }
            tracking = ShiprocketTracking.Settings(
                baseURL: url.hasSuffix("/") ? String(url.dropLast()) : url,
                email: email,
                password: password,
                retryInterval: .seconds(try environment.integer("SHIPROCKET_CONFIRM_RETRY_SECONDS", default: 60, in: 1...86_400))
            )
        }
    }
}
