import Foundation

/// How to reach the database, parsed once from a `postgresql://` URL.
public struct PostgresSettings: Sendable {
    public var url: String
    public var applicationName: String
    /// Set on every connection, so unqualified names resolve to the service's own schema.
    public var searchPath: String?
    public var connectTimeoutSeconds: Int
    /// Connections the pool may hold open.
    public var maxConnections: Int
    /// How long a caller waits for a free connection before it gets an error.
    public var acquireTimeout: Duration
    var password: String? { URLComponents(string: url)?.password?.removingPercentEncoding }

    public init(
        url: String,
        applicationName: String,
        searchPath: String? = nil,
        connectTimeoutSeconds: Int = 5,
        maxConnections: Int = 10,
        acquireTimeout: Duration = .seconds(10)
    ) {
        self.url = url
        self.applicationName = applicationName
        self.searchPath = searchPath
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.maxConnections = maxConnections
        self.acquireTimeout = acquireTimeout
    }
}
