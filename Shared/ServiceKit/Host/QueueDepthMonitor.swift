import Common
import Logging
import Messaging
import NIOPosix
import ServiceLifecycle

/// How many messages wait, read from the broker every `interval` on a connection of its own:
/// in the service's queue (a backlog), its dead-letter queue (messages an operator must look
/// at), the unrouted queue (events nobody consumes), and an earlier release's unbounded
/// `marketplace.unrouted` while it exists, which each pass also tries to retire (an old
/// replica reconnecting during a rollout declares it again). The gauge
/// `amqp_queue_messages{queue}` feeds the alerts in deploy/monitoring.
struct QueueDepthMonitor: Service {
    let settings: AMQPSettings
    let topology: QueueTopology?
    var interval = Duration.seconds(15)
    let logger: Logger

    var queues: [String] {
        [Topology.unroutedQueue] + (topology.map { [$0.queue, $0.deadLetterQueue] } ?? [])
    }

    func run() async throws {
        let thread = NIOThreadPool(numberOfThreads: 1)
        thread.start()
        let reader = QueueDepthReader(settings: settings, topology: topology, queues: queues, logger: logger)
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await thread.runIfActive { reader.pass() }
            try? await cancelWhenGracefulShutdown { [interval] in try await Task.sleep(for: interval) }
        }
        reader.close()
        try? await thread.shutdownGracefully()
    }
}
