/// W3C Trace Context `traceparent` values (version 00).
public enum TraceParent {
    /// A new trace with a sampled root span.
    public static func generate() -> String {
        "00-\(hex(UInt64.random(in: 1...UInt64.max)))\(hex(UInt64.random(in: 0...UInt64.max)))-\(hex(UInt64.random(in: 1...UInt64.max)))-01"
    }

    /// A child span in the same trace as `parent`, or a new trace if `parent` is not valid.
    public static func child(of parent: String?) -> String {
        guard let parent, isValid(parent) else { return generate() }
        let parts = parent.split(separator: "-")
        return "00-\(parts[1])-\(hex(UInt64.random(in: 1...UInt64.max)))-\(parts[3])"
    }

    public static func isValid(_ value: String) -> Bool {
        let parts = value.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0].count == 2, parts[1].count == 32, parts[2].count == 16, parts[3].count == 2
        else { return false }
        let hexDigits = Set("0123456789abcdef")
        return parts.allSatisfy { $0.allSatisfy(hexDigits.contains) }
            && parts[1] != Substring(String(repeating: "0", count: 32))
            && parts[2] != Substring(String(repeating: "0", count: 16))
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
