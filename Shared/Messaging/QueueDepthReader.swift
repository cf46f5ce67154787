import Common
import Logging
import Metrics

/// A queue-depth monitor's broker work (ServiceKit's `QueueDepthMonitor`), every call on the
/// monitor's one thread: librabbitmq connections are not shared between threads.
public final class QueueDepthReader: @unchecked Sendable {
    let settings: AMQPSettings
    let topology: QueueTopology?
    let gauges: [(String, Gauge)]
    let legacyGauge = Gauge(label: "amqp_queue_messages", dimensions: [("queue", Topology.legacyUnroutedQueue)])
    let logger: Logger
    private var connection: AMQPConnection?
    private var warnedOfLegacy = false

    public init(settings: AMQPSettings, topology: QueueTopology?, queues: [String], logger: Logger) {
        self.settings = settings
        self.topology = topology
        self.logger = logger
        gauges = queues.map { ($0, Gauge(label: "amqp_queue_messages", dimensions: [("queue", $0)])) }
    }

    public func pass() {
        do {
            let connection = try connected()
            for (queue, gauge) in gauges { gauge.record(try connection.messageCount(queue: queue)) }
        } catch {
            // A missing queue closes the channel: declared again on the next connection.
            close()
            logger.debug("could not read queue depths", metadata: [LogKey.error: "\(error)"])
        }
        retireLegacyQueue()
    }

    public func close() {
        connection?.close()
        connection = nil
    }

    private func connected() throws -> AMQPConnection {
        if let connection { return connection }
        let fresh = try AMQPConnection(settings: settings)
        do {
            try topology?.declare(on: fresh)
        } catch {
            fresh.close()
            throw error
        }
        connection = fresh
        return fresh
    }

    private func retireLegacyQueue() {
        do {
            switch try LegacyUnroutedQueue.retire(settings: settings) {
            case .gone:
                legacyGauge.record(0)
            case .kept(let messages):
                legacyGauge.record(messages)
                if !warnedOfLegacy {
                    warnedOfLegacy = true
                    logger.warning(
                        "\(Topology.legacyUnroutedQueue) (an earlier release's unbounded queue) holds \(messages) events no service consumes; it no longer receives any: read them, then delete it",
                        metadata: [LogKey.amqpQueue: "\(Topology.legacyUnroutedQueue)"]
                    )
                }
            }
        } catch {
            logger.debug("could not retire \(Topology.legacyUnroutedQueue)", metadata: [LogKey.error: "\(error)"])
        }
    }
}
