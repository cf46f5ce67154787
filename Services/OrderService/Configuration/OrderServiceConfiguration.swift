import ServiceKit

/// Everything OrderService reads from the environment (docs/configuration.md).
struct OrderServiceConfiguration: Sendable {
    var service: ServiceConfiguration
    /// Every listed secret verifies webhooks, so a secret can be rotated without downtime.
    var shopifyWebhookSecrets: [String]
    /// Parallel loops processing stored deliveries.
    var webhookWorkers: Int

    init(environment: Environment) throws {
        service = try ServiceConfiguration(serviceName: "OrderService", defaultPort: 8081, environment: environment)
        shopifyWebhookSecrets = environment.list("SHOPIFY_WEBHOOK_SECRETS")
        webhookWorkers = try environment.integer("WEBHOOK_WORKERS", default: 4, in: 1...64)
    }
}
