import Foundation

/// Checks that bytes are one well-formed JSON object without building it: decoding a type
/// that reads nothing scans the whole document (rejecting any syntax error or trailing
/// bytes) at a fraction of the cost of `JSONSerialization`, which matters on the webhook hot path.
enum JSONObjectCheck {
    /// Reads nothing: decoding it still scans (and so validates) the whole document.
    private struct Anything: Decodable {
        init(from decoder: any Decoder) throws {}
    }

    static func isObject(_ data: Data) -> Bool {
        // The scan accepts any JSON value; the first byte that is not white space tells an
        // object. (A keyed container would say the same but builds a key table first.)
        guard let first = data.first(where: { !Self.whitespace.contains($0) }), first == UInt8(ascii: "{") else { return false }
        return (try? JSONDecoder().decode(Anything.self, from: data)) != nil
    }

    private static let whitespace: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D]
}
