import Foundation
import SMTP
import TestSupport
import Testing

@testable import NotificationService

/// libcurl's SMTP against a local server that requires STARTTLS and AUTH, with a certificate
/// authority this test makes with openssl.
@Suite struct SMTPProviderTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func mailGoesOutOverSTARTTLSWithAUTHAndABadPasswordIsRefused() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("smtp-tls"))
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let cert = folder.appendingPathComponent("cert.pem").path
        let key = folder.appendingPathComponent("key.pem").path
        try await Subprocess.run(
            "openssl",
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
            ]
        )
        let mailbox = folder.appendingPathComponent("mail").path
        let port = 28461
        let log = folder.appendingPathComponent("sink.log").path
        let sink = try Subprocess(
            "/usr/bin/python3",
            [
                Self.root.appendingPathComponent("scripts/sinks/smtp_sink.py").path, "--port", "\(port)", "--mailbox", mailbox,
                "--cert", cert, "--key", key, "--user", "mailer", "--password", "s3cret",
            ],
            stdout: .discard,
            stderr: .file(log)
        )
        defer { sink.send(SIGKILL) }
        do {
            try await waitUntilListening(port: port, server: sink)
        } catch {
            throw TestFailure("\(error)\n\((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        }

        func provider(_ userInfo: String, _ query: String = "starttls=required") throws -> SMTPProvider {
            let settings = try #require(
                SMTPSettings(
                    url: "smtp://\(userInfo)@127.0.0.1:\(port)?\(query)&cafile=\(cert)",
                    from: "shop@example.com"
                )
            )
            return SMTPProvider(settings: settings)
        }
        let message = ["to": "asha@example.com", "subject": "Over TLS", "text": "hello", "html": "<p>hello</p>"]
        try await provider("mailer:s3cret").send(message)
        let files = try FileManager.default.contentsOfDirectory(atPath: mailbox).filter { !$0.hasPrefix(".") }
        #expect(files.count == 1)
        let mail = try String(contentsOfFile: mailbox + "/" + files[0], encoding: .utf8)
        #expect(mail.contains("X-Envelope-To: asha@example.com"))

        await #expect(throws: ProviderFailure.self) { try await provider("mailer:wrong").send(message) }
        // Without TLS the server refuses AUTH; with STARTTLS required curl never sends in the clear.
        await #expect(throws: ProviderFailure.self) { try await provider("mailer:s3cret", "starttls=off").send(message) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: mailbox).filter { !$0.hasPrefix(".") }.count == 1)
    }

    @Test func theURLCarriesCredentialsAndTLSChoiceButTheyStayOutOfTheAddress() throws {
        let settings = try #require(SMTPSettings(url: "smtp://me%40x.com:p%3Ass@mail.example.com:587?starttls=required", from: "f@x.com"))
        #expect(settings.url == "smtp://mail.example.com:587")
        #expect(settings.username == "me@x.com")
        #expect(settings.password == "p:ss")
        #expect(SMTPSettings(url: "http://mail.example.com", from: "f@x.com") == nil)
        #expect(SMTPSettings(url: "smtps://mail.example.com", from: "f@x.com")?.username == nil)
    }
}
