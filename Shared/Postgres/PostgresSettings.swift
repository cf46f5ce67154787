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
    /// How long a peer that neither answers nor refuses (packets dropped, a host gone behind a
    /// router, a failover that moved the address) may keep a connection: TCP keepalives on
    /// both ends and a bound on unacknowledged data. Without them a query waits on a dead
    /// peer for TCP's own timeout (about 15 minutes), and the server keeps a vanished client's
    /// transaction, and its row locks, for two hours. Keywords in the URL override these.
    public var deadPeerTimeout: DeadPeerTimeout = .init()

    public struct DeadPeerTimeout: Sendable {
        /// Idle seconds before the first keepalive probe, seconds between probes, probes missed.
        public var keepaliveIdleSeconds = 10
        public var keepaliveIntervalSeconds = 5
        public var keepaliveCount = 3
        /// Longest time data sent may stay unacknowledged before the connection is dropped.
        public var unacknowledgedMilliseconds = 15_000
        /// A transaction left idle this long (its client gone without a word) is ended by the
        /// server, so its locks do not outlive the client.
        public var idleInTransactionSeconds = 300

        public init() {}

        /// libpq's connection keywords (client side).
        var clientKeywords: [(String, String)] {
            [
                ("keepalives", "1"), ("keepalives_idle", String(keepaliveIdleSeconds)),
                ("keepalives_interval", String(keepaliveIntervalSeconds)), ("keepalives_count", String(keepaliveCount)),
                ("tcp_user_timeout", String(unacknowledgedMilliseconds)),
            ]
        }

        /// Session settings (server side), passed with `options`.
        var serverOptions: String {
            "-c tcp_keepalives_idle=\(keepaliveIdleSeconds) -c tcp_keepalives_interval=\(keepaliveIntervalSeconds)"
                + " -c tcp_keepalives_count=\(keepaliveCount) -c tcp_user_timeout=\(unacknowledgedMilliseconds)"
                + " -c idle_in_transaction_session_timeout=\(idleInTransactionSeconds * 1000)"
        }
    }
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
