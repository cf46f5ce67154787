import Foundation

/// An email address as every service keeps it: what was sent, trimmed, or nothing when that
/// cannot be an address (blank, no `@`, white space inside), so that no message is ever
/// addressed to "".
public enum EmailAddress {
    public static func normalized(_ text: String?) -> String? {
        guard let trimmed = text?.trimmingCharacters(in: .whitespacesAndNewlines), !trimmed.isEmpty else { return nil }
        let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
            !trimmed.contains(where: { $0.isWhitespace || $0.isNewline })
        else { return nil }
        return trimmed
    }
}
