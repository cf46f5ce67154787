import CCurl
import Foundation
import Testing

@testable import SMTP

@Suite struct CurlEasyTests {
    @Test func anOptionLibcurlRefusesIsAnErrorNotIgnored() throws {
        let curl = try CurlEasy()
        try curl.set(CURLOPT_USE_SSL, Int(CURLUSESSL_ALL.rawValue))
        #expect(throws: CurlError.self) { try curl.set(CURLOPT_USE_SSL, 99) }
        #expect(throws: CurlError.self) { try curl.set(CURLoption(rawValue: 99_999), 1) }
    }

    @Test func aServerThatIsNotThereIsATransientFailure() throws {
        // Port 9 (discard) on loopback: nothing listens, so the connection is refused at once.
        let client = SMTPClient(settings: try #require(SMTPSettings(url: "smtp://127.0.0.1:9", from: "f@example.com")))
        #expect {
            try client.send(to: "t@example.com", body: Data("Subject: x\r\n\r\nx\r\n".utf8))
        } throws: { error in
            (error as? SMTPError)?.isPermanent == false && "\(error)".contains("SMTP")
        }
    }
}
