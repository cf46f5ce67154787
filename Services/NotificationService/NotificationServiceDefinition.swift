import Foundation
import Messaging
import ServiceKit

extension ServiceDefinition {
    static let notificationService = ServiceDefinition(
        name: "NotificationService", schema: "notification", defaultPort: 8084,
        migrations: ServiceMain.migrations(in: .module),
        queue: QueueTopology(queue: "notification-service", bindings: NotificationEventConsumer.bindings))
}
