import Foundation
import Logging
import Messaging
import Postgres

/// One of the server stacks `./scripts/test` starts: `test` for ordinary tests, `fault` for
/// tests that stop and restart servers (they run one at a time).
public struct TestStack: Sendable {
    public let prefix: String

    public static let test = TestStack(prefix: "TEST_")
    public static let fault = TestStack(prefix: "FAULT_")

    public enum Role: String, Sendable, CaseIterable {
        case order = "ORDER_SERVICE"
        case inventory = "INVENTORY_SERVICE"
        case delivery = "DELIVERY_SERVICE"
        case notification = "NOTIFICATION_SERVICE"

        public var schema: String {
            switch self {
            case .order: "orders"
            case .inventory: "inventory"
            case .delivery: "delivery"
            case .notification: "notification"
            }
        }
    }

    func variable(_ name: String) -> String {
        guard let value = ProcessInfo.processInfo.environment[prefix + name], !value.isEmpty else {
            fatalError("\(prefix)\(name) is not set: run the tests through ./scripts/test")
        }
        return value
    }

    public var amqpURL: String { variable("AMQP_URL") }
    /// The broker's TLS listener, its certificate checked against `tlsCAFile`.
    public var amqpsURL: String { variable("AMQPS_URL") }
    /// The certificate authority that signed the stack's server certificate.
    public var tlsCAFile: String { variable("TLS_CA_FILE") }
    public var smtpSinkURL: String { variable("SMTP_SINK_URL") }
    public var pushSinkURL: String { variable("PUSH_SINK_URL") }
    /// Where the SMTP sink keeps each message it accepts, one `.eml` file each.
    public var mailboxDirectory: String { variable("MAILBOX_DIR") }
    /// Where the push sink keeps each message it accepts, one `.json` file each.
    public var pushSinkDirectory: String { variable("PUSH_SINK_DIR") }
    public func databaseURL(_ role: Role) -> String { variable("\(role.rawValue)_DATABASE_URL") }

    /// `acquireTimeout`: how long a caller waits for a free connection; `patience` unless a
    /// test sets it (the pool's own 10 s is a production setting, not what tests check).
    public func pool(
        _ role: Role = .order,
        size: Int = 5,
        name: String = "tests",
        acquireTimeout: Duration = patience
    ) -> PostgresPool {
        var settings = PostgresSettings(
            url: databaseURL(role),
            applicationName: name,
            searchPath: role.schema,
            maxConnections: size
        )
        settings.acquireTimeout = acquireTimeout
        return PostgresPool(settings: settings, logger: testLogger)
    }

    public func amqpSettings() -> AMQPSettings {
        try! AMQPSettings(url: amqpURL)
    }

    public func publisher() -> AMQPPublisher {
        AMQPPublisher(settings: amqpSettings(), logger: testLogger)
    }

    /// Runs `scripts/infra <profile> <command>` (pg-stop, pg-start, rabbit-stop, rabbit-start,
    /// rabbitmqctl …); with `output`, returns what it printed. (Only then is its output a pipe:
    /// a server the command starts would hold a pipe open for ever.)
    @discardableResult
    public func infra(_ command: String, output: Bool = false) async throws -> String {
        let process = try Subprocess("/bin/bash", ["-c", "\(variable("INFRA")) \(command)"], stdout: output ? .capture : .inherit)
        let termination = await process.wait()
        guard termination.exitStatus == 0 else { throw TestFailure("scripts/infra \(command) ended with \(termination)") }
        return termination.output
    }
}

public let testLogger: Logger = {
    var logger = Logger(label: "tests")
    logger.logLevel = .warning
    return logger
}()

public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A name no other test uses, for tables, queues and routing keys.
public func uniqueName(_ base: String) -> String {
    "\(base)_\(UUID().uuidString.prefix(8).lowercased())"
}

/// How long a test waits for something that should happen (a state reached, a message
/// received, an answer) before it fails. Only a guard against hanging: a wait that passes
/// returns as soon as its condition holds, so this costs time only when a test fails, and it
/// is generous so that a slow or busy machine never fails a test. Limits that are themselves
/// under test are derived from the setting they test instead.
public let patience: Duration = .seconds(120)

/// Polls `condition` until it holds or `timeout` passes; returns whether it held.
public func eventually(
    timeout: Duration = patience,
    every interval: Duration = .milliseconds(50),
    _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: interval)
    }
    return try await condition()
}

extension TestStack {
    /// Messages in `queue` and its first retry tier that no consumer has acknowledged yet
    /// (ready, or delivered and in hand), as the broker counts them. Later tiers hold messages
    /// that failed more than once (other tests' events this service cannot place, waiting
    /// minutes before they are dead-lettered), which no test waits for.
    public func unacknowledged(_ queue: String) async throws -> Int {
        let text = try await infra("rabbitmqctl -q list_queues name messages", output: true)
        let names = Set([queue] + QueueTopology(queue: queue, bindings: []).retryQueues(tier: 0).map(\.queue))
        return text.split(separator: "\n").reduce(0) { total, line in
            let fields = line.split(whereSeparator: \.isWhitespace)
            guard fields.count == 2, names.contains(String(fields[0])) else { return total }
            return total + (Int(fields[1]) ?? 0)
        }
    }

    /// Waits until every message published to `queue` before the call has been handled and
    /// acknowledged, by whichever consumer took it: for "nothing more came of the copies" when
    /// several consumers share the queue and their order gives nothing to wait behind. Two
    /// readings in a row, since a message moving from the retry queue back is in neither for
    /// a moment.
    public func drained(_ queue: String) async throws {
        var empty = 0
        let done = try await eventually(every: .milliseconds(200)) {
            empty = try await unacknowledged(queue) == 0 ? empty + 1 : 0
            return empty >= 2
        }
        guard done else { throw TestFailure("\(queue) still held unacknowledged messages after \(patience)") }
    }
}
