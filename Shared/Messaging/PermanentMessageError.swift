/// Thrown by a handler for a message that can never succeed (malformed, unknown type): the
/// consumer sends it to the dead-letter queue at once instead of retrying.
public struct PermanentMessageError: Error, Sendable, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { "permanent failure: \(reason)" }
}
