import ServiceKit

extension ServiceDefinition {
    static let notificationService = ServiceDefinition(
        service: .notificationService,
        schema: "notification",
        defaultPort: 8084,
        migrations: ServiceMain.migrations(in: .module)
    )
}
