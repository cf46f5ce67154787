import Foundation
import Messaging
import Postgres
import TestSupport
import Testing

/// TLS to the broker (librabbitmq's OpenSSL socket) and to the database (libpq's sslmode),
/// against the test stack's amqps listener and its PostgreSQL with ssl=on. scripts/infra made
/// their certificate authority and server certificate with openssl; the test makes a second,
/// untrusted authority of its own, to show that verification is really done.
@Suite struct TLSTests {
    static let stack = TestStack.test

    @Test func theBrokerIsReachedOverVerifiedTLSAndAnUntrustedCertificateIsRefused() async throws {
        let topology = QueueTopology(queue: uniqueName("tls-q"), bindings: ["test.tls.\(uniqueName("k"))"])
        let secure = AMQPPublisher(settings: try AMQPSettings(url: Self.stack.amqpsURL), logger: testLogger)
        #expect(try AMQPSettings(url: Self.stack.amqpsURL).tls?.verifyPeer == true)
        try await secure.declare(topology)
        let refused = try await secure.publish(
            (0..<3).map {
                OutgoingMessage(messageId: "tls-\($0)", routingKey: topology.bindings[0], body: Data("{}".utf8))
            }
        )
        #expect(refused.isEmpty, "confirmed over TLS")
        #expect(await eventually { (try? await Self.stack.publisher().messageCount(queue: topology.queue)) == 3 })
        await secure.shutdown()

        let rogue = try await RogueAuthority()
        let base = Self.stack.amqpsURL.components(separatedBy: "?")[0]
        let untrusting = AMQPPublisher(settings: try AMQPSettings(url: "\(base)?cacertfile=\(rogue.certificate)"), logger: testLogger)
        #expect(await untrusting.checkHealth() == false, "a server certificate from an authority not trusted is refused")
        await untrusting.shutdown()
        let unchecked = AMQPPublisher(
            settings: try AMQPSettings(url: "\(base)?cacertfile=\(rogue.certificate)&verify=verify_none"),
            logger: testLogger
        )
        #expect(await unchecked.checkHealth(), "the same connection without verification works: it was the check that refused")
        await unchecked.shutdown()
    }

    @Test func theDatabaseIsReachedWithSSLModeVerifyFullAndRequire() async throws {
        let plain = Self.stack.databaseURL(.order)
        let local = plain.replacingOccurrences(of: "@127.0.0.1:", with: "@localhost:")
        let verified = "\(local)?sslmode=verify-full&sslrootcert=\(Self.stack.tlsCAFile)"
        #expect(try await sslInUse(verified) == true)
        #expect(try await sslInUse("\(plain)?sslmode=require") == true)
        #expect(try await sslInUse("\(plain)?sslmode=disable") == false)

        let rogue = try await RogueAuthority()
        await #expect(throws: PostgresError.self, "a server certificate from an authority not trusted is refused") {
            try await sslInUse("\(local)?sslmode=verify-full&sslrootcert=\(rogue.certificate)")
        }
    }

    @Test func tlsOptionsAreReadFromTheURL() throws {
        let settings = try AMQPSettings(url: "amqps://u:p@broker.example/%2f?cacertfile=/ca.pem&certfile=/c.pem&keyfile=/k.pem")
        #expect(settings.port == 5671)
        #expect(settings.tls == AMQPSettings.TLS(caCertificateFile: "/ca.pem", certificateFile: "/c.pem", keyFile: "/k.pem"))
        #expect(try AMQPSettings(url: "amqps://broker.example").tls?.caCertificateFile == "/etc/ssl/certs/ca-certificates.crt")
        #expect(try AMQPSettings(url: "amqp://broker.example").tls == nil)
        #expect(throws: AMQPError.self) { try AMQPSettings(url: "amqp://broker.example?cacertfile=/ca.pem") }
        #expect(throws: AMQPError.self) { try AMQPSettings(url: "amqps://broker.example?certfile=/c.pem") }
        #expect(throws: AMQPError.self) { try AMQPSettings(url: "amqps://broker.example?verify=maybe") }
    }

    private func sslInUse(_ url: String) async throws -> Bool? {
        let pool = PostgresPool(settings: PostgresSettings(url: url, applicationName: "tls-test", maxConnections: 1), logger: testLogger)
        do {
            let ssl = try await pool.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").scalar("ssl", as: Bool.self)
            await pool.close()
            return ssl
        } catch {
            await pool.close()
            throw error
        }
    }
}

/// A certificate authority made by the test with openssl, which no server here uses.
private struct RogueAuthority {
    let certificate: String

    init() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("rogue-ca")).path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        certificate = folder + "/ca.pem"
        try await Subprocess.run(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=rogue test CA",
                "-keyout", folder + "/ca.key", "-out", certificate,
            ]
        )
    }
}
