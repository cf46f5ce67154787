import CCurl
import Foundation
import NIOPosix

/// Email over SMTP through libcurl's SMTP support (STARTTLS, AUTH, implicit TLS with
/// `smtps://`). `SMTP_URL` is `smtp://[user:password@]host[:port][?starttls=required|off]`:
/// by default STARTTLS is used when the server offers it; `required` refuses to send in the
/// clear. libcurl blocks, so each send runs on NIO's thread pool, never on Swift
/// concurrency's cooperative threads.
struct SMTPProvider: NotificationProvider {
    struct Settings: Sendable {
        var url: String
        var username: String?
        var password: String?
        var from: String
        var startTLS: Int = Int(CURLUSESSL_TRY.rawValue)
        /// CA bundle to verify the server with (tests); the system's by default.
        var caFile: String?

        /// nil for a URL that is not `smtp://` or `smtps://`.
        init?(url text: String, from: String) {
            guard var components = URLComponents(string: text), let scheme = components.scheme,
                ["smtp", "smtps"].contains(scheme), components.host?.isEmpty == false
            else { return nil }
            username = components.percentEncodedUser.flatMap { $0.removingPercentEncoding }
            password = components.percentEncodedPassword.flatMap { $0.removingPercentEncoding }
            for item in components.queryItems ?? [] {
                switch (item.name, item.value) {
                case ("starttls", "required"): startTLS = Int(CURLUSESSL_ALL.rawValue)
                case ("starttls", "off"): startTLS = Int(CURLUSESSL_NONE.rawValue)
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

    let settings: Settings
    let handles: CurlHandles
    let threads: NIOThreadPool
    let concurrency: Int
    var channel: Job.Channel { .email }

    init(settings: Settings, connections: Int = 16) {
        self.settings = settings
        concurrency = max(1, connections)
        handles = CurlHandles()
        threads = NIOThreadPool(numberOfThreads: concurrency)
        threads.start()
    }

    func send(_ message: [String: String]) async throws {
        guard let to = message["to"], !to.isEmpty else { throw ProviderFailure.permanent("email job without a recipient") }
        var email = EmailMessage(
            from: settings.from, to: to, subject: message["subject"] ?? "", text: message["text"] ?? "", html: message["html"])
        if let id = message[Job.notificationIdKey] { email.messageId = "\(id)@marketplace.local" }
        let body = email.rfc5322()
        let settings = self.settings
        let handles = self.handles
        try await threads.runIfActive {
            guard let handle = handles.take() else { throw ProviderFailure.transient("libcurl could not start") }
            do {
                try Self.perform(settings, to: to, body: body, curl: handle.curl)
                handles.give(back: handle)
            } catch {
                curl_easy_cleanup(handle.curl)  // its connection may be broken: not reused
                throw error
            }
        }
    }

    func shutdown() async {
        try? await threads.shutdownGracefully()
    }

    /// One SMTP transaction, blocking, on a handle no other thread uses meanwhile.
    private static func perform(_ settings: Settings, to: String, body: Data, curl: UnsafeMutableRawPointer) throws {
        curl_easy_reset(curl)  // options only; the connection stays open for reuse
        var recipients: UnsafeMutablePointer<curl_slist>? = curl_slist_append(nil, "<\(to)>")
        defer { curl_slist_free_all(recipients) }
        let upload = Upload(body)
        let context = Unmanaged.passRetained(upload)
        defer { context.release() }

        ccurl_setopt_string(curl, CURLOPT_URL, settings.url)
        ccurl_setopt_string(curl, CURLOPT_MAIL_FROM, "<\(settings.from)>")
        ccurl_setopt_slist(curl, CURLOPT_MAIL_RCPT, recipients)
        ccurl_setopt_long(curl, CURLOPT_UPLOAD, 1)
        ccurl_setopt_long(curl, CURLOPT_USE_SSL, settings.startTLS)
        ccurl_setopt_long(curl, CURLOPT_CONNECTTIMEOUT, 5)
        ccurl_setopt_long(curl, CURLOPT_TIMEOUT, 20)
        ccurl_setopt_long(curl, CURLOPT_NOSIGNAL, 1)
        if let username = settings.username { ccurl_setopt_string(curl, CURLOPT_USERNAME, username) }
        if let password = settings.password { ccurl_setopt_string(curl, CURLOPT_PASSWORD, password) }
        if let caFile = settings.caFile { ccurl_setopt_string(curl, CURLOPT_CAINFO, caFile) }
        ccurl_setopt_read_function(curl) { buffer, size, count, userdata in
            guard let buffer, let userdata else { return 0 }
            return Unmanaged<Upload>.fromOpaque(userdata).takeUnretainedValue().read(into: buffer, capacity: size * count)
        }
        ccurl_setopt_pointer(curl, CURLOPT_READDATA, context.toOpaque())
        _ = recipients  // kept alive until perform returns

        let result = curl_easy_perform(curl)
        guard result != CURLE_OK else { return }
        var code = 0
        ccurl_getinfo_long(curl, CURLINFO_RESPONSE_CODE, &code)
        let reason = "SMTP: \(String(cString: curl_easy_strerror(result)))" + (code > 0 ? " (server said \(code))" : "")
        // 5xx: the server refuses this message or address for good; anything else may pass later.
        if (500..<600).contains(code) && result != CURLE_LOGIN_DENIED { throw ProviderFailure.permanent(reason) }
        throw ProviderFailure.transient(reason)
    }

    /// The message bytes handed to libcurl piece by piece. Only the libcurl thread touches it.
    private final class Upload: @unchecked Sendable {
        let bytes: [UInt8]
        var offset = 0
        init(_ data: Data) { bytes = Array(data) }

        func read(into buffer: UnsafeMutablePointer<CChar>, capacity: Int) -> Int {
            let count = min(capacity, bytes.count - offset)
            guard count > 0 else { return 0 }
            bytes.withUnsafeBufferPointer { source in
                UnsafeMutableRawPointer(buffer).copyMemory(from: source.baseAddress! + offset, byteCount: count)
            }
            offset += count
            return count
        }
    }
}
