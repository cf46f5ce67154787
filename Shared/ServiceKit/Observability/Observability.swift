import Common
import Logging
import Metrics
import Prometheus

/// Process-wide logging and metrics set-up. Both backends can be installed once per process,
/// which may host several services in tests, so this is idempotent.
public enum Observability {
    /// The Prometheus registry every metric of this process is recorded in.
    public static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()

    private static let loggingOnce: Void = {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .trace  // each Logger carries the configured level
            return handler
        }
    }()

    /// Installs logging (key=value metadata on stderr) and metrics; returns the service logger.
    public static func bootstrap(serviceName: String, level: Logger.Level) -> Logger {
        _ = loggingOnce
        _ = registry
        var logger = Logger(label: serviceName)
        logger.logLevel = level
        logger[metadataKey: LogKey.service] = "\(serviceName)"
        return logger
    }
}
