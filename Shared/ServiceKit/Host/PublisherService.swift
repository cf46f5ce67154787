import Messaging
import ServiceLifecycle

/// Closes the publisher's connection once everything that publishes has stopped.
struct PublisherService: Service {
    let publisher: AMQPPublisher

    func run() async throws {
        try? await gracefulShutdown()
        await publisher.shutdown()
    }
}
