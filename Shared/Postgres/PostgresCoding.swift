import Foundation

/// A Swift value that can be bound as a query parameter, in PostgreSQL's text format.
public protocol PostgresEncodable: Sendable {
    /// The parameter's text; `nil` binds SQL NULL.
    var postgresText: String? { get }
    /// The value as bound; text by default.
    var postgresParameter: PostgresParameter? { get }
}

extension PostgresEncodable {
    public var postgresParameter: PostgresParameter? { postgresText.map(PostgresParameter.text) }
}

/// A Swift value that can be read from a column in PostgreSQL's text format.
public protocol PostgresDecodable {
    init(postgresText: String) throws
    /// The value for SQL NULL; non-optional types refuse it.
    static func postgresNull() throws -> Self
}

extension PostgresDecodable {
    public static func postgresNull() throws -> Self {
        throw PostgresError(kind: .decoding, message: "unexpected NULL for \(Self.self)")
    }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public init(postgresText: String) throws { self = try Wrapped(postgresText: postgresText) }
    public static func postgresNull() throws -> Self { nil }
}

func decodingError<T>(_ text: String, _ type: T.Type) -> PostgresError {
    PostgresError(kind: .decoding, message: "cannot decode \(T.self) from a \(text.utf8.count)-byte value")
}

extension String: PostgresEncodable, PostgresDecodable {
    public var postgresText: String? { self }
    public init(postgresText: String) { self = postgresText }
}

extension Substring: PostgresEncodable {
    public var postgresText: String? { String(self) }
}

extension Bool: PostgresEncodable, PostgresDecodable {
    public var postgresText: String? { self ? "true" : "false" }
    public init(postgresText: String) throws {
        switch postgresText {
        case "t", "true": self = true
        case "f", "false": self = false
        default: throw decodingError(postgresText, Bool.self)
        }
    }
}

/// Integers and floating point numbers share their text forms.
public protocol PostgresNumeric: PostgresEncodable, PostgresDecodable, LosslessStringConvertible {}

extension PostgresNumeric {
    public var postgresText: String? { description }
    public init(postgresText: String) throws {
        guard let value = Self(postgresText) else { throw decodingError(postgresText, Self.self) }
        self = value
    }
}

extension Int: PostgresNumeric {}
extension Int64: PostgresNumeric {}
extension Int32: PostgresNumeric {}
extension Int16: PostgresNumeric {}
extension UInt64: PostgresNumeric {}
extension Double: PostgresNumeric {}

extension Decimal: PostgresEncodable, PostgresDecodable {
    public var postgresText: String? { description }
    public init(postgresText: String) throws {
        guard let value = Decimal(string: postgresText, locale: Locale(identifier: "en_US_POSIX")) else {
            throw decodingError(postgresText, Decimal.self)
        }
        self = value
    }
}

extension UUID: PostgresEncodable, PostgresDecodable {
    public var postgresText: String? { uuidString.lowercased() }
    public init(postgresText: String) throws {
        guard let value = UUID(uuidString: postgresText) else { throw decodingError(postgresText, UUID.self) }
        self = value
    }
}

extension Data: PostgresEncodable, PostgresDecodable {
    /// Bound in binary format: the bytes as they are.
    public var postgresParameter: PostgresParameter? { .binary(Array(self)) }

    /// bytea in hex form.
    public var postgresText: String? {
        let digits = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: 2 + count * 2) { buffer in
            buffer[0] = UInt8(ascii: "\\")
            buffer[1] = UInt8(ascii: "x")
            var index = 2
            for byte in self {
                buffer[index] = digits[Int(byte >> 4)]
                buffer[index + 1] = digits[Int(byte & 0x0f)]
                index += 2
            }
            return index
        }
    }
    public init(postgresText: String) throws {
        var text = postgresText
        let decoded: Data? = text.withUTF8 { utf8 in
            guard utf8.count >= 2, utf8[0] == UInt8(ascii: "\\"), utf8[1] == UInt8(ascii: "x"), utf8.count % 2 == 0 else {
                return nil
            }
            var data = Data(count: (utf8.count - 2) / 2)
            let valid = data.withUnsafeMutableBytes { bytes -> Bool in
                var source = 2
                for index in 0..<bytes.count {
                    guard let high = hexValue(utf8[source]), let low = hexValue(utf8[source + 1]) else { return false }
                    bytes[index] = high << 4 | low
                    source += 2
                }
                return true
            }
            return valid ? data : nil
        }
        guard let decoded else { throw decodingError(postgresText, Data.self) }
        self = decoded
    }
}

private func hexValue(_ c: UInt8) -> UInt8? {
    switch c {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
    default: nil
    }
}

extension Array: PostgresEncodable where Element: PostgresEncodable {
    /// A one-dimensional array literal, every element quoted, for `= ANY($1)` and the like.
    /// Escaped byte by byte: outbox payloads (JSON, full of quotes) pass through here, and
    /// Foundation's `replacingOccurrences` cost more than the rest of their insert.
    public var postgresText: String? {
        var literal: [UInt8] = [UInt8(ascii: "{")]
        for (index, element) in enumerated() {
            if index > 0 { literal.append(UInt8(ascii: ",")) }
            guard let text = element.postgresText else {
                literal.append(contentsOf: "NULL".utf8)
                continue
            }
            literal.append(UInt8(ascii: "\""))
            for byte in text.utf8 {
                if byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "\"") { literal.append(UInt8(ascii: "\\")) }
                literal.append(byte)
            }
            literal.append(UInt8(ascii: "\""))
        }
        literal.append(UInt8(ascii: "}"))
        return String(decoding: literal, as: UTF8.self)
    }
}
