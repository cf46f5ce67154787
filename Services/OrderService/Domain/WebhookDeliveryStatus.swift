/// Where a stored delivery is in its processing.
enum WebhookDeliveryStatus: String, Sendable, Codable, CaseIterable {
    case pending, processing, processed, failed, ignored
}
