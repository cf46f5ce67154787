import ServiceKit

/// Everything InventoryService reads from the environment (docs/configuration.md).
struct InventoryServiceConfiguration: Sendable {
    var service: ServiceConfiguration

    init(environment: Environment) throws {
        service = try ServiceConfiguration(serviceName: "InventoryService", defaultPort: 8082, environment: environment)
    }
}
