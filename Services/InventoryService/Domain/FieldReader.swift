import Common
import Foundation

/// Reads and checks one JSON object's fields, so that the first bad field of a document is the
/// one reported, with its path.
struct FieldReader<Key: CodingKey> {
    let container: KeyedDecodingContainer<Key>

    init(_ decoder: any Decoder, keys: Key.Type) throws {
        container = try decoder.container(keyedBy: keys)
    }

    func fail(_ key: Key, _ problem: String) -> CatalogError {
        CatalogError(path: container.codingPath + [key], problem)
    }

    /// An identifier or name: non-empty, at most `maxLength` characters, no control characters.
    func text(_ key: Key, maxLength: Int = 200) throws -> String {
        let value = try container.decode(String.self, forKey: key)
        guard !value.trimmingCharacters(in: .whitespaces).isEmpty else { throw fail(key, "must not be empty") }
        guard value.count <= maxLength else { throw fail(key, "must be at most \(maxLength) characters") }
        guard !value.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) else {
            throw fail(key, "must not contain control characters")
        }
        return value
    }

    func optionalText(_ key: Key) throws -> String? {
        guard container.contains(key), try !container.decodeNil(forKey: key) else { return nil }
        return try text(key)
    }

    func number(_ key: Key, in range: ClosedRange<Double>) throws -> Double {
        let value = try container.decode(Double.self, forKey: key)
        guard value.isFinite, range.contains(value) else {
            throw fail(key, "must be a number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    func wholeNumber(_ key: Key, in range: ClosedRange<Int>) throws -> Int {
        // Read as a number first: the decoder's own "not an Int" error for 1.5 names no field.
        let number = try container.decode(Double.self, forKey: key)
        guard number.rounded() == number, let value = Int(exactly: number), range.contains(value) else {
            throw fail(key, "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// An exact decimal given as a string ("12.50"), never through a binary floating point.
    func decimal(_ key: Key) throws -> Decimal {
        guard let text = try? container.decode(String.self, forKey: key) else {
            throw fail(key, #"must be a decimal string such as "12.50""#)
        }
        guard let value = Money.parse(text) else { throw fail(key, #"must be a decimal string such as "12.50""#) }
        return value
    }

    /// A Shopify id (beyond 2^53): a string of digits or a JSON integer; null or absent is nil.
    func shopifyId(_ key: Key) throws -> Int64? {
        guard container.contains(key), try !container.decodeNil(forKey: key) else { return nil }
        let id: Int64? =
            if let text = try? container.decode(String.self, forKey: key) { Int64(text) } else { try? container.decode(Int64.self, forKey: key) }
        guard let id, id > 0 else { throw fail(key, "must be a positive Shopify id (a string of digits or an integer)") }
        return id
    }

    func bool(_ key: Key, default value: Bool) throws -> Bool {
        try container.decodeIfPresent(Bool.self, forKey: key) ?? value
    }
}
