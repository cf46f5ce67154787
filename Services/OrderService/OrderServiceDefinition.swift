import ServiceKit

extension ServiceDefinition {
    static let ordersService = ServiceDefinition(
        service: .orderService,
        schema: "orders",
        defaultPort: 8081,
        migrations: ServiceMain.migrations(in: .module)
    )
}
