import Foundation
import NIOPosix
import SMTP

/// Email through `SMTPClient` (libcurl's SMTP: STARTTLS, AUTH, implicit TLS with `smtps://`;
/// `SMTP_URL` as `SMTPSettings` reads it). libcurl blocks, so each send runs on a thread of
/// NIO's thread pool, one per connection, never on Swift concurrency's cooperative threads.
struct SMTPProvider: NotificationProvider {
    let client: SMTPClient
    let threads: NIOThreadPool
    let concurrency: Int
    var channel: Job.Channel { .email }
    /// libcurl's whole-transfer timeout, connecting included.
    var maxSendTime: Duration { client.settings.timeout }

    init(settings: SMTPSettings, connections: Int = 16) {
        client = SMTPClient(settings: settings)
        concurrency = max(1, connections)
        threads = NIOThreadPool(numberOfThreads: concurrency)
        threads.start()
    }

    func send(_ message: [String: String]) async throws {
        guard let to = message["to"], !to.isEmpty else { throw ProviderFailure.permanent("email job without a recipient") }
        var email = EmailMessage(
            from: client.settings.from,
            to: to,
            subject: message["subject"] ?? "",
            text: message["text"] ?? "",
            html: message["html"]
        )
        if let id = message[Job.notificationIdKey] { email.messageId = "\(id)@marketplace.local" }
        let body = email.rfc5322()
        let client = self.client
        try await threads.runIfActive {
            do throws(SMTPError) {
                try client.send(to: to, body: body)
            } catch {
                throw error.isPermanent ? ProviderFailure.permanent(error.description) : ProviderFailure.transient(error.description)
            }
        }
    }

    func shutdown() async {
        try? await threads.shutdownGracefully()
    }
}
