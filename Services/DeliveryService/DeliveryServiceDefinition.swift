import ServiceKit

extension ServiceDefinition {
    static let deliveryService = ServiceDefinition(
        service: .deliveryService,
        schema: "delivery",
        defaultPort: 8083,
        migrations: ServiceMain.migrations(in: .module)
    )
}
