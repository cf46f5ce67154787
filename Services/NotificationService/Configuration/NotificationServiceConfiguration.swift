import Common
import SMTP
import ServiceKit

/// Everything NotificationService reads from the environment (docs/configuration.md).
struct NotificationServiceConfiguration: Sendable {
    var service: ServiceConfiguration
    var smtp: SMTPSettings?
    /// Parallel SMTP connections (each on its own thread, kept open between messages).
    var smtpConnections = 16
    /// Push requests in flight at once.
    var pushConcurrency = 16
    var pushURL: String?
    var pushToken: String?
    var worker = NotificationWorker.Settings()
    var maxAttempts = 8
    var backoff = RetryPolicy.jobs

    init(environment: Environment) throws {
        service = try ServiceConfiguration(serviceName: "NotificationService", defaultPort: 8084, environment: environment)
        if let url = environment["SMTP_URL"], !url.isEmpty {
            guard let settings = SMTPSettings(url: url, from: environment["SMTP_FROM"] ?? "marketplace@localhost") else {
                throw ConfigurationError("SMTP_URL must be smtp://[user:password@]host[:port] or smtps://…")
            }
            smtp = settings
        }
        smtpConnections = try environment.integer("SMTP_CONNECTIONS", default: 16, in: 1...256)
        pushConcurrency = try environment.integer("PUSH_CONCURRENCY", default: 16, in: 1...256)
        pushURL = environment["PUSH_URL"].flatMap { $0.isEmpty ? nil : $0 }
        pushToken = environment["PUSH_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        worker.lease = .seconds(try environment.integer("NOTIFICATION_LEASE_SECONDS", default: 60, in: 2...3600))
        let smtpTimeout = try environment.integer("SMTP_TIMEOUT_SECONDS", default: 20, in: 1...600)
        smtp?.timeout = .seconds(smtpTimeout)
        // A send must fit in a lease with its record, or a job could be sent twice.
        let longest = max(smtp == nil ? 0 : smtpTimeout, pushURL == nil ? 0 : Int(PushProvider.timeout.components.seconds))
        guard worker.lease > .seconds(longest) + worker.recordMargin else {
            throw ConfigurationError(
                "NOTIFICATION_LEASE_SECONDS (\(worker.lease.components.seconds)) must be more than the longest send (\(longest) s: SMTP_TIMEOUT_SECONDS, or push's 10 s) plus \(worker.recordMargin.components.seconds) s to record it (a wait for a database connection included)"
            )
        }
        worker.breakerThreshold = try environment.integer("NOTIFICATION_BREAKER_THRESHOLD", default: 5, in: 1...1000)
        worker.breakerOpenFor = .seconds(try environment.integer("NOTIFICATION_BREAKER_OPEN_SECONDS", default: 30, in: 1...3600))
        maxAttempts = try environment.integer("NOTIFICATION_MAX_ATTEMPTS", default: 8, in: 1...100)
        backoff.base = .milliseconds(try environment.integer("NOTIFICATION_BACKOFF_BASE_MS", default: 1000, in: 1...3_600_000))
    }
}
