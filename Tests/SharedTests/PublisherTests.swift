import Foundation
import Messaging
import TestSupport
import Testing

@Suite struct PublisherTests {
    @Test func consecutiveBatchesAreEachConfirmed() async throws {
        var settings = TestStack.test.amqpSettings()
        settings.replyTimeout = patience  // a miscounted confirm would hang: fail instead
        let publisher = AMQPPublisher(settings: settings, logger: testLogger)
        let key = "test.batches.\(uniqueName("k"))"
        let topology = QueueTopology(queue: uniqueName("batches-q"), bindings: [key])
        try await publisher.declare(topology)
        // Single-message batches are confirmed one tag at a time (no "multiple" flag): each
        // wait must count from where the previous one stopped.
        for i in 0..<5 {
            let refused = try await publisher.publish([OutgoingMessage(messageId: "b\(i)", routingKey: key, body: Data("{}".utf8))])
            #expect(refused.isEmpty)
        }
        try await publisher.publish((0..<300).map { OutgoingMessage(messageId: "m\($0)", routingKey: key, body: Data("{}".utf8)) })
        #expect(await eventually { (try? await publisher.messageCount(queue: topology.queue)) == 305 })
        await publisher.shutdown()
    }

    @Test func anIdlePublisherKeepsItsConnection() async throws {
        // Ten-second heartbeats: without its own, the broker would close the idle connection
        // after two missed ones, and the next publish would find it dead. The publisher sends
        // one every third of the interval, so a heartbeat has to be over 16 s late to fail this
        // on a busy machine (1 s and then 4 s heartbeats were missed twice in a row with both
        // cores loaded and the suite running).
        let settings = try AMQPSettings(url: TestStack.test.amqpURL + "?heartbeat=10")
        let publisher = AMQPPublisher(settings: settings, logger: testLogger)
        let key = "test.idle.\(uniqueName("k"))"
        let topology = QueueTopology(queue: uniqueName("idle-q"), bindings: [key])
        try await publisher.declare(topology)
        // Idle for three heartbeat intervals, past the two missed ones the broker tolerates: the
        // idle time is what is tested, so it is a time.
        try await Task.sleep(for: .seconds(3 * settings.heartbeatSeconds))
        let refused = try await publisher.publish([OutgoingMessage(messageId: "after-idle", routingKey: key, body: Data("{}".utf8))])
        #expect(refused.isEmpty)
        #expect(publisher.connectionsOpened == 1, "the connection survived three idle heartbeat intervals")
        await publisher.shutdown()
    }

    @Test func settingsParseTheURLAndRefuseOthers() throws {
        let settings = try AMQPSettings(url: "amqp://user:p%40ss@broker.internal:5673/%2fprod?heartbeat=10")
        #expect(settings.host == "broker.internal")
        #expect(settings.port == 5673)
        #expect(settings.user == "user")
        #expect(settings.password == "p@ss")
        #expect(settings.virtualHost == "/prod")
        #expect(settings.heartbeatSeconds == 10)
        #expect(try AMQPSettings(url: "amqp://localhost").virtualHost == "/")
        #expect(throws: AMQPError.self) { try AMQPSettings(url: "http://localhost") }
        #expect(throws: AMQPError.self) { try AMQPSettings(url: "not a url") }
    }
}
