import AsyncHTTPClient
import Foundation
import NIOCore

/// Push messages over HTTP in FCM HTTP v1's format: `POST {PUSH_URL}` with
/// `{"message": {"token", "notification": {"title", "body"}, "data": {…}}}` and
/// `Authorization: Bearer {PUSH_TOKEN}`.
struct PushProvider: NotificationProvider {
    let url: String
    let token: String?
    /// Requests in flight at once, each on a connection of its own.
    let concurrency: Int
    static let timeout = Duration.seconds(10)
    var maxSendTime: Duration { Self.timeout }
    /// A client of its own with a connection for every request in flight, so none waits in
    /// the client's queue for a connection (the shared client allows 8 per host).
    private let client: HTTPClient
    var channel: Job.Channel { .push }

    init(url: String, token: String?, concurrency: Int = 16) {
        self.url = url
        self.token = token
        self.concurrency = max(1, concurrency)
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: self.concurrency)
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    struct Body: Encodable {
        var message: Message
        struct Message: Encodable {
            var token: String
            var notification: Notification
            var data: [String: String]
        }
        struct Notification: Encodable {
            var title: String
            var body: String
        }
    }

    /// The FCM request body for a rendered push job (`token`, `title`, `body`, `data.*`).
    static func body(_ message: [String: String]) -> Body {
        var data: [String: String] = [:]
        for (key, value) in message where key.hasPrefix("data.") { data[String(key.dropFirst(5))] = value }
        if let id = message[Job.notificationIdKey] { data["notificationId"] = id }
        return Body(
            message: .init(
                token: message["token"] ?? "",
                notification: .init(title: message["title"] ?? "", body: message["body"] ?? ""),
                data: data
            )
        )
    }

    func send(_ message: [String: String]) async throws {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(Self.body(message))))
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: .seconds(Self.timeout.components.seconds))
        } catch {
            throw ProviderFailure.transient("push endpoint unreachable: \(error)")
        }
        _ = try? await response.body.collect(upTo: 64 * 1024)
        switch response.status.code {
        case 200..<300: return
        // FCM: 400 invalid message, 404 unregistered token, 403 sender mismatch.
        case 400, 403, 404: throw ProviderFailure.permanent("push refused: HTTP \(response.status.code)")
        default: throw ProviderFailure.transient("push failed: HTTP \(response.status.code)")
        }
    }

    func shutdown() async {
        try? await client.shutdown()
    }
}
