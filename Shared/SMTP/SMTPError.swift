/// Why a message was not sent, and whether sending it again can succeed.
public struct SMTPError: Error, CustomStringConvertible, Sendable {
    public let description: String
    /// The server refused this message or address for good (a 5xx reply other than to the
    /// login); anything else may pass later.
    public let isPermanent: Bool
}
