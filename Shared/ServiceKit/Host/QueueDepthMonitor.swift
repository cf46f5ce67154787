import Common
import Logging
import Messaging
import Metrics
import ServiceLifecycle

/// How many messages wait, read from the broker every `interval`: in the service's queue (a
/// backlog), its dead-letter queue (messages an operator must look at) and the unrouted
/// queue (events nobody consumes). The gauge `amqp_queue_messages{queue}` feeds the alerts
/// in deploy/monitoring.
struct QueueDepthMonitor: Service {
    let publisher: AMQPPublisher
    let topology: QueueTopology?
    var interval = Duration.seconds(15)
    let logger: Logger

    var queues: [String] {
        [Topology.unroutedQueue] + (topology.map { [$0.queue, $0.deadLetterQueue] } ?? [])
    }

    func run() async throws {
        let gauges = queues.map { ($0, Gauge(label: "amqp_queue_messages", dimensions: [("queue", $0)])) }
        var declared = false
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                // Declared first: asking a broker about a queue it lacks closes the channel.
                if !declared, let topology { try await publisher.declare(topology) }
                declared = true
                for (queue, gauge) in gauges { gauge.record(try await publisher.messageCount(queue: queue)) }
            } catch {
                logger.debug("could not read queue depths", metadata: [LogKey.error: "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { [interval] in try await Task.sleep(for: interval) }
        }
    }
}
