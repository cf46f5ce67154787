import Foundation

/// Where the broker is, parsed once from an `amqp://user:password@host:port/vhost` URL.
public struct AMQPSettings: Sendable {
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
    public init(url: String) throws {
        guard let components = URLComponents(string: url), let scheme = components.scheme,
            let host = components.host, !host.isEmpty
        else { throw AMQPError(kind: .configuration, message: "AMQP_URL is not a valid amqp:// URL") }
        guard scheme == "amqp" else {
            throw AMQPError(kind: .configuration, message: "AMQP_URL scheme \(scheme) is not supported (use amqp://)")
        }
        self.host = host
        port = components.port ?? 5672
        user = components.user?.removingPercentEncoding ?? "guest"
        password = components.password?.removingPercentEncoding ?? "guest"
        // The path holds the vhost, percent-encoded ("/%2f" is "/"); none means "/".
        let path = components.percentEncodedPath
        let vhost = path.hasPrefix("/") ? String(path.dropFirst()) : path
        virtualHost = vhost.isEmpty ? "/" : (vhost.removingPercentEncoding ?? vhost)
        for item in components.queryItems ?? [] where item.name == "heartbeat" {
            if let value = item.value.flatMap(Int.init) { heartbeatSeconds = value }
        }
    }
}
