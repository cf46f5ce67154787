import CCurl
import Foundation
import Synchronization

/// Mail over SMTP through libcurl (STARTTLS, AUTH, implicit TLS), keeping each connection
/// open for the next message. `send` blocks: call it from a thread of its own (a thread
/// pool), never from Swift concurrency's cooperative threads.
public final class SMTPClient: Sendable {
    public let settings: SMTPSettings
    /// Idle handles, each with its connection; one thread uses a handle at a time.
    private let idle = Mutex<[CurlEasy]>([])

    public init(settings: SMTPSettings) {
        self.settings = settings
    }

    /// One SMTP transaction: `body` (an RFC 5322 message) to `recipient`.
    public func send(to recipient: String, body: Data) throws(SMTPError) {
        let handle: CurlEasy
        do {
            handle = try idle.withLock { $0.popLast() } ?? CurlEasy()
        } catch {
            throw SMTPError(description: "libcurl could not start", isPermanent: false)
        }
        do {
            try transfer(on: handle, to: recipient, body: body)
            idle.withLock { $0.append(handle) }
        } catch {
            // Its connection may be broken: the handle is not reused (and is freed here).
            let permanent = (500..<600).contains(error.responseCode) && !error.isLoginDenied
            throw SMTPError(description: error.description, isPermanent: permanent)
        }
    }

    private func transfer(on curl: CurlEasy, to recipient: String, body: Data) throws(CurlError) {
        curl.reset()
        let recipients = curl_slist_append(nil, "<\(recipient)>")
        defer { curl_slist_free_all(recipients) }
        let source = UploadSource(body)
        try curl.set(CURLOPT_URL, settings.url)
        try curl.set(CURLOPT_MAIL_FROM, "<\(settings.from)>")
        try curl.set(CURLOPT_MAIL_RCPT, list: recipients)
        try curl.setUpload(from: source)
        try curl.set(CURLOPT_USE_SSL, Self.useSSL(settings.startTLS))
        try curl.set(CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(settings.connectTimeout))
        try curl.set(CURLOPT_TIMEOUT_MS, Self.milliseconds(settings.timeout))
        // No signals: libcurl runs on many threads at once here.
        try curl.set(CURLOPT_NOSIGNAL, 1)
        if let username = settings.username { try curl.set(CURLOPT_USERNAME, username) }
        if let password = settings.password { try curl.set(CURLOPT_PASSWORD, password) }
        if let caFile = settings.caFile { try curl.set(CURLOPT_CAINFO, caFile) }
        try withExtendedLifetime(source) { () throws(CurlError) in try curl.perform(context: "SMTP") }
    }

    private static func useSSL(_ startTLS: SMTPSettings.StartTLS) -> Int {
        switch startTLS {
        case .whenOffered: Int(CURLUSESSL_TRY.rawValue)
        case .required: Int(CURLUSESSL_ALL.rawValue)
        case .off: Int(CURLUSESSL_NONE.rawValue)
        }
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds) * 1000 + Int(duration.components.attoseconds / 1_000_000_000_000_000)
    }
}
