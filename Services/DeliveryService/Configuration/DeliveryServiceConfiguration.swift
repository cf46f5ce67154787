import ServiceKit

/// Everything DeliveryService reads from the environment (CONTRACT.md).
struct DeliveryServiceConfiguration: Sendable {
    var service: ServiceConfiguration
    var shiprocketWebhookToken: String?

    init(environment: Environment) throws {
        service = try ServiceConfiguration(serviceName: "DeliveryService", defaultPort: 8083, environment: environment)
        shiprocketWebhookToken = environment["SHIPROCKET_WEBHOOK_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
    }
}
