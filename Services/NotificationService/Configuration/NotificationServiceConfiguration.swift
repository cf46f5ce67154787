import ServiceKit

/// Everything NotificationService reads from the environment (CONTRACT.md).
struct NotificationServiceConfiguration: Sendable {
    var service: ServiceConfiguration
    var smtpURL: String?
    var smtpFrom: String?
    var pushURL: String?
    var pushToken: String?

    init(environment: Environment) throws {
        service = try ServiceConfiguration(serviceName: "NotificationService", defaultPort: 8084, environment: environment)
        smtpURL = environment["SMTP_URL"]
        smtpFrom = environment["SMTP_FROM"]
        pushURL = environment["PUSH_URL"]
        pushToken = environment["PUSH_TOKEN"]
    }
}
