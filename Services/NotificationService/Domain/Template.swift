import Foundation

/// A notification template, kept as a file beside the service (`Templates/<name>.<channel>`):
/// header lines `key: value` (an email's `subject`, a push message's `title`), then sections
/// introduced by `--- name` (`text` and `html` for email, `body` for push). `{{name}}` is
/// replaced by the value of that name; in `html` sections values are HTML-escaped.
struct Template: Sendable, Equatable {
    var name: String
    var headers: [String: String]
    var sections: [String: String]

    struct Missing: Error, CustomStringConvertible {
        let description: String
    }

    init(name: String, text: String) {
        self.name = name
        var headers: [String: String] = [:]
        var sections: [String: String] = [:]
        var current: String?
        var lines: [Substring] = []
        func close() {
            if let current { sections[current] = lines.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines) }
            lines = []
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("--- ") {
                close()
                current = line.dropFirst(4).trimmingCharacters(in: .whitespaces)
            } else if current == nil, let colon = line.firstIndex(of: ":") {
                headers[line[..<colon].trimmingCharacters(in: .whitespaces)] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            } else if current != nil {
                lines.append(line)
            }
        }
        close()
        self.headers = headers
        self.sections = sections
    }

    /// Every header and section filled from `values`; `html` sections escaped.
    func render(_ values: [String: String]) -> [String: String] {
        var rendered: [String: String] = [:]
        for (key, text) in headers { rendered[key] = Self.fill(text, values, escape: false) }
        for (key, text) in sections { rendered[key] = Self.fill(text, values, escape: key == "html") }
        return rendered
    }

    static func fill(_ text: String, _ values: [String: String], escape: Bool) -> String {
        var output = ""
        var rest = Substring(text)
        while let open = rest.range(of: "{{"), let close = rest[open.upperBound...].range(of: "}}") {
            output += rest[..<open.lowerBound]
            let key = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            let value = values[key] ?? ""
            output += escape ? htmlEscaped(value) : value
            rest = rest[close.upperBound...]
        }
        return output + rest
    }

    static func htmlEscaped(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
