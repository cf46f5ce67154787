import Foundation

/// An email as RFC 5322 bytes: UTF-8 text and, if given, HTML as multipart/alternative,
/// base64-encoded; the subject as an RFC 2047 encoded word. Line breaks in header values
/// are removed, so a value cannot add headers.
struct EmailMessage: Sendable {
    var from: String
    var to: String
    var subject: String
    var text: String
    var html: String?
    var date = Date()
    var messageId = "\(UUID().uuidString.lowercased())@marketplace.local"

    func rfc5322() -> Data {
        // By scalar: "\r\n" is one Character, which a Character filter would let through.
        func header(_ value: String) -> String {
            String(String.UnicodeScalarView(value.unicodeScalars.filter { $0 != "\r" && $0 != "\n" }))
        }
        func base64Lines(_ text: String) -> String {
            let encoded = Data(text.utf8).base64EncodedString()
            return stride(from: 0, to: encoded.count, by: 76).map { start in
                let from = encoded.index(encoded.startIndex, offsetBy: start)
                return String(encoded[from..<(encoded.index(from, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex)])
            }.joined(separator: "\r\n")
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        var lines = [
            "From: \(header(from))",
            "To: \(header(to))",
            "Subject: =?UTF-8?B?\(Data(header(subject).utf8).base64EncodedString())?=",
            "Date: \(formatter.string(from: date))",
            "Message-ID: <\(header(messageId))>",
            "MIME-Version: 1.0",
        ]
        if let html {
            let boundary = "alt-\(UUID().uuidString.lowercased())"
            lines += [
                "Content-Type: multipart/alternative; boundary=\"\(boundary)\"", "",
                "--\(boundary)", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64", "", base64Lines(text),
                "--\(boundary)", "Content-Type: text/html; charset=utf-8", "Content-Transfer-Encoding: base64", "", base64Lines(html),
                "--\(boundary)--",
            ]
        } else {
            lines += ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64", "", base64Lines(text)]
        }
        return Data((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }
}
