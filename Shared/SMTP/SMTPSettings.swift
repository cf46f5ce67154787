import Foundation

/// Where and how to send mail: `smtp://[user:password@]host[:port][?starttls=required|off]`
/// or `smtps://…` (implicit TLS). By default STARTTLS is used when the server offers it;
/// `required` refuses to send in the clear.
public struct SMTPSettings: Sendable, Equatable {
    public enum StartTLS: Sendable, Equatable {
        case whenOffered, required, off
    }

    /// The server's address, without credentials or options.
    public var url: String
    public var username: String?
    public var password: String?
    public var from: String
    public var startTLS = StartTLS.whenOffered
    /// A CA bundle to verify the server with (tests); the system's by default.
    public var caFile: String?
    public var connectTimeout = Duration.seconds(5)
    public var timeout = Duration.seconds(20)

    /// nil for a URL that is not `smtp://` or `smtps://` with a host.
    public init?(url text: String, from: String) {
        guard var components = URLComponents(string: text), let scheme = components.scheme,
            ["smtp", "smtps"].contains(scheme), components.host?.isEmpty == false
        else { return nil }
        username = components.percentEncodedUser.flatMap { $0.removingPercentEncoding }
        password = components.percentEncodedPassword.flatMap { $0.removingPercentEncoding }
        for item in components.queryItems ?? [] {
            switch (item.name, item.value) {
            case ("starttls", "required"): startTLS = .required
            case ("starttls", "off"): startTLS = .off
            case ("cafile", let value?): caFile = value
            default: break
            }
        }
        components.user = nil
        components.password = nil
        components.query = nil
        url = components.string ?? text
        self.from = from
    }
}
