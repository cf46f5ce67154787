/// A failure talking to the broker. Any such failure retires the connection it happened on;
/// the owner opens a new one.
public struct AMQPError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case configuration
        /// The socket could not be opened, or broke.
        case connection
        /// The broker closed the channel or connection (reply code and text in the message).
        case server
        /// No answer in time.
        case timeout
        /// The broker refused a published message (basic.nack).
        case rejected
    }

    public let kind: Kind
    public let message: String

    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "AMQPError.\(kind.rawValue): \(message)" }
}
