import ServiceKit

/// Everything OrderService reads from the environment (CONTRACT.md).
struct OrderServiceConfiguration: Sendable {
    var service: ServiceConfiguration
    /// Every listed secret verifies webhooks, so a secret can be rotated without downtime.
    var shopifyWebhookSecrets: [String]

    init(environment: Environment) throws {
        service = try ServiceConfiguration(serviceName: "OrderService", defaultPort: 8081, environment: environment)
        shopifyWebhookSecrets = environment.list("SHOPIFY_WEBHOOK_SECRETS")
    }
}
