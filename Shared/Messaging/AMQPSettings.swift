import Foundation

/// Where the broker is, parsed once from an `amqp://user:password@host:port/vhost` URL, or
/// `amqps://…` for TLS. TLS options are the query parameters RabbitMQ's URI spec names:
/// `cacertfile` (PEM; default: the system's certificate bundle), `certfile` and `keyfile` (a
/// client certificate), `verify=verify_peer` (the default) or `verify_none`.
public struct AMQPSettings: Sendable {
    /// TLS to the broker: the peer's certificate chain and host name are checked unless
    /// `verifyPeer` is false.
    public struct TLS: Sendable, Equatable {
        public var caCertificateFile: String?
        public var certificateFile: String?
        public var keyFile: String?
        public var verifyPeer = true

        public init(caCertificateFile: String? = nil, certificateFile: String? = nil, keyFile: String? = nil, verifyPeer: Bool = true) {
            self.caCertificateFile = caCertificateFile
            self.certificateFile = certificateFile
            self.keyFile = keyFile
            self.verifyPeer = verifyPeer
        }
    }

    public var host: String
    public var port: Int
    public var virtualHost: String
    public var user: String
    public var password: String
    /// Seconds between heartbeats; the broker drops a peer that misses two.
    public var heartbeatSeconds: Int = 30
    public var connectTimeout: Duration = .seconds(5)
    /// Longest wait for the broker's answer to a declaration or a batch of confirms.
    public var replyTimeout: Duration = .seconds(15)
    /// Set for `amqps://` URLs.
    public var tls: TLS?
    /// `x-queue-type` for the queues the services declare ("quorum" on a cluster); nil leaves
    /// it to the broker (the vhost's default queue type).
    public var queueType: String?

    public init(url: String) throws {
        guard let components = URLComponents(string: url), let scheme = components.scheme,
            let host = components.host, !host.isEmpty
        else { throw AMQPError(kind: .configuration, message: "AMQP_URL is not a valid amqp:// URL") }
        guard scheme == "amqp" || scheme == "amqps" else {
            throw AMQPError(kind: .configuration, message: "AMQP_URL scheme \(scheme) is not supported (use amqp:// or amqps://)")
        }
        self.host = host
        port = components.port ?? (scheme == "amqps" ? 5671 : 5672)
        user = components.user?.removingPercentEncoding ?? "guest"
        password = components.password?.removingPercentEncoding ?? "guest"
        // The path holds the vhost, percent-encoded ("/%2f" is "/"); none means "/".
        let path = components.percentEncodedPath
        let vhost = path.hasPrefix("/") ? String(path.dropFirst()) : path
        virtualHost = vhost.isEmpty ? "/" : (vhost.removingPercentEncoding ?? vhost)
        var tls = TLS()
        for item in components.queryItems ?? [] {
            switch (item.name, item.value) {
            case ("heartbeat", let value?): heartbeatSeconds = Int(value) ?? heartbeatSeconds
            case ("cacertfile", let value?): tls.caCertificateFile = value
            case ("certfile", let value?): tls.certificateFile = value
            case ("keyfile", let value?): tls.keyFile = value
            case ("verify", "verify_peer"): tls.verifyPeer = true
            case ("verify", "verify_none"): tls.verifyPeer = false
            case ("verify", _):
                throw AMQPError(kind: .configuration, message: "AMQP_URL verify must be verify_peer or verify_none")
            default: continue
            }
        }
        guard (tls.certificateFile == nil) == (tls.keyFile == nil) else {
            throw AMQPError(kind: .configuration, message: "AMQP_URL certfile and keyfile go together")
        }
        if scheme == "amqps" {
            if tls.caCertificateFile == nil, tls.verifyPeer {
                tls.caCertificateFile = Self.systemCertificateBundle
            }
            self.tls = tls
        } else if tls != TLS() {
            throw AMQPError(kind: .configuration, message: "AMQP_URL has TLS options but is not amqps://")
        }
    }

    /// Debian's (and most distributions') bundle of trusted certificate authorities.
    static let systemCertificateBundle = "/etc/ssl/certs/ca-certificates.crt"
}
