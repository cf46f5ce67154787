import ServiceKit

extension ServiceDefinition {
    static let inventoryService = ServiceDefinition(
        service: .inventoryService,
        schema: "inventory",
        defaultPort: 8082,
        migrations: ServiceMain.migrations(in: .module)
    )
}
