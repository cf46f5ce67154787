/// A delivery that can never be processed as it is: it is marked failed with this reason
/// instead of being retried.
struct PermanentWebhookError: Error, CustomStringConvertible, Sendable {
    let description: String
    init(_ description: String) { self.description = description }
}
