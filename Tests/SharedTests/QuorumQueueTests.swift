import Foundation
import Messaging
import ServiceKit
import TestSupport
import Testing

/// Quorum queues, as a RabbitMQ cluster would have them (a single node runs them too).
@Suite struct QuorumQueueTests {
    @Test func queuesAreDeclaredAsQuorumQueuesWhenAsked() async throws {
        // A vhost of its own (scripts/infra makes it): the shared queues of "/" are classic.
        var settings = try AMQPSettings(url: TestStack.test.amqpURL.replacingOccurrences(of: "/%2f", with: "/quorum"))
        settings.queueType = "quorum"
        let topology = QueueTopology(queue: uniqueName("quorum-q"), bindings: ["test.quorum.\(uniqueName("k"))"])
        let quorum = AMQPPublisher(settings: settings, logger: testLogger)
        try await quorum.declare(topology)
        try await quorum.publish([OutgoingMessage(messageId: "q1", routingKey: topology.bindings[0], body: Data("{}".utf8))])
        #expect(await eventually { (try? await quorum.messageCount(queue: topology.queue)) == 1 })
        await quorum.shutdown()
        // The broker refuses to see the same queue as a classic one: it really is a quorum queue.
        settings.queueType = "classic"
        let classic = AMQPPublisher(settings: settings, logger: testLogger)
        await #expect(throws: (any Error).self) { try await classic.declare(topology) }
        await classic.shutdown()
    }
}

@Suite struct QueueTypeConfigurationTests {
    static let base = ["DATABASE_URL": "postgresql://x@localhost/db", "AMQP_URL": "amqp://localhost"]

    @Test func theQueueTypeIsReadAndCheckedFromTheEnvironment() throws {
        func configuration(_ type: String?) throws -> ServiceConfiguration {
            var values = Self.base
            values["AMQP_QUEUE_TYPE"] = type
            return try ServiceConfiguration(serviceName: "S", defaultPort: 1, environment: Environment(values))
        }
        #expect(try configuration(nil).amqpQueueType == nil)
        #expect(try configuration("").amqpQueueType == nil)
        #expect(try configuration("quorum").amqpQueueType == "quorum")
        #expect(throws: ConfigurationError.self) { try configuration("stream") }
    }
}
