import CRabbitMQ
import Foundation

/// One librabbitmq connection with one channel. Every method blocks.
///
/// librabbitmq forbids using a connection from two threads at once, so each owner
/// (`AMQPPublisher`, a consumer worker) calls it only from its own single-thread pool.
/// `@unchecked Sendable` rests on that confinement.
final class AMQPConnection: @unchecked Sendable {
    private var state: amqp_connection_state_t?
    private let channel: amqp_channel_t = 1
    private let settings: AMQPSettings
    /// Publisher confirms: the tag of the last message published, and the highest tag up to
    /// which the broker has confirmed everything. Tags count up for the channel's lifetime.
    private var confirmsEnabled = false
    private var lastDeliveryTag: UInt64 = 0
    private var confirms = ConfirmTracker()

    init(settings: AMQPSettings) throws {
        self.settings = settings
        guard let state = amqp_new_connection() else {
            throw AMQPError(kind: .connection, message: "out of memory")
        }
        self.state = state
        do {
            let socket = try Self.socket(for: settings, state: state)
            var connectTimeout = settings.connectTimeout.timeval
            let status = amqp_socket_open_noblock(socket, settings.host, Int32(settings.port), &connectTimeout)
            guard status == AMQP_STATUS_OK.rawValue else {
                throw AMQPError(kind: .connection, message: "cannot connect to \(settings.host):\(settings.port): \(Self.statusText(status))")
            }
            var replyTimeout = settings.replyTimeout.timeval
            amqp_set_rpc_timeout(state, &replyTimeout)
            try check(
                cra_login_plain(
                    state,
                    settings.virtualHost,
                    0,
                    131_072,
                    Int32(settings.heartbeatSeconds),
                    settings.user,
                    settings.password
                ),
                "login"
            )
            amqp_channel_open(state, channel)
            try check(amqp_get_rpc_reply(state), "channel.open")
        } catch {
            close()
            throw error
        }
    }

    deinit { close() }

    /// A plain TCP socket, or an OpenSSL one (TLS 1.2 or later) for `amqps://`.
    private static func socket(for settings: AMQPSettings, state: amqp_connection_state_t) throws -> OpaquePointer {
        guard let tls = settings.tls else {
            guard let socket = amqp_tcp_socket_new(state) else {
                throw AMQPError(kind: .connection, message: "cannot create a socket")
            }
            return socket
        }
        guard let socket = amqp_ssl_socket_new(state) else {
            throw AMQPError(kind: .connection, message: "cannot create a TLS socket")
        }
        amqp_ssl_socket_set_verify_peer(socket, tls.verifyPeer ? 1 : 0)
        amqp_ssl_socket_set_verify_hostname(socket, tls.verifyPeer ? 1 : 0)
        guard amqp_ssl_socket_set_ssl_versions(socket, AMQP_TLSv1_2, AMQP_TLSvLATEST) == AMQP_STATUS_OK.rawValue else {
            throw AMQPError(kind: .configuration, message: "this OpenSSL cannot do TLS 1.2")
        }
        if let file = tls.caCertificateFile, amqp_ssl_socket_set_cacert(socket, file) != AMQP_STATUS_OK.rawValue {
            throw AMQPError(kind: .configuration, message: "cannot read the CA certificate file \(file)")
        }
        if let certificate = tls.certificateFile, let key = tls.keyFile,
            amqp_ssl_socket_set_key(socket, certificate, key) != AMQP_STATUS_OK.rawValue
        {
            throw AMQPError(kind: .configuration, message: "cannot read the client certificate \(certificate) or its key \(key)")
        }
        return socket
    }

    /// Closes politely if the socket still works; frees the handle either way.
    func close() {
        guard let state else { return }
        amqp_channel_close(state, channel, Int32(AMQP_REPLY_SUCCESS))
        amqp_connection_close(state, Int32(AMQP_REPLY_SUCCESS))
        amqp_destroy_connection(state)
        self.state = nil
    }

    // MARK: Topology

    func declareExchange(_ name: String, type: String, arguments: [String: AMQPHeaderValue] = [:]) throws {
        let state = try live()
        let arena = AMQPArena()
        amqp_exchange_declare(state, channel, arena.bytes(name), arena.bytes(type), 0, 1, 0, 0, arena.table(arguments))
        try check(amqp_get_rpc_reply(state), "exchange.declare \(name)")
    }

    func declareQueue(_ name: String, arguments: [String: AMQPHeaderValue] = [:]) throws {
        var arguments = arguments
        if let type = settings.queueType { arguments["x-queue-type"] = .string(type) }
        let state = try live()
        let arena = AMQPArena()
        amqp_queue_declare(state, channel, arena.bytes(name), 0, 1, 0, 0, arena.table(arguments))
        try check(amqp_get_rpc_reply(state), "queue.declare \(name)")
    }

    /// Messages ready in a queue (not counting those delivered and unacknowledged).
    func messageCount(queue name: String) throws -> Int {
        let state = try live()
        let arena = AMQPArena()
        let ok = amqp_queue_declare(state, channel, arena.bytes(name), 1, 0, 0, 0, amqp_table_t(num_entries: 0, entries: nil))
        try check(amqp_get_rpc_reply(state), "queue.declare passive \(name)")
        return Int(ok?.pointee.message_count ?? 0)
    }

    func bindQueue(_ queue: String, exchange: String, routingKey: String) throws {
        try binding(queue, exchange: exchange, routingKey: routingKey, unbind: false)
    }

    func unbindQueue(_ queue: String, exchange: String, routingKey: String) throws {
        try binding(queue, exchange: exchange, routingKey: routingKey, unbind: true)
    }

    private func binding(_ queue: String, exchange: String, routingKey: String, unbind: Bool) throws {
        let state = try live()
        let arena = AMQPArena()
        let (name, source, key) = (arena.bytes(queue), arena.bytes(exchange), arena.bytes(routingKey))
        let none = amqp_table_t(num_entries: 0, entries: nil)
        if unbind {
            amqp_queue_unbind(state, channel, name, source, key, none)
        } else {
            amqp_queue_bind(state, channel, name, source, key, none)
        }
        try check(amqp_get_rpc_reply(state), "queue.\(unbind ? "unbind" : "bind") \(queue)")
    }

    /// Deletes a queue (a missing one is no error); with `ifEmpty`, the broker refuses, and
    /// closes the channel, when it holds messages.
    func deleteQueue(_ name: String, ifEmpty: Bool) throws {
        let state = try live()
        let arena = AMQPArena()
        amqp_queue_delete(state, channel, arena.bytes(name), 0, ifEmpty ? 1 : 0)
        try check(amqp_get_rpc_reply(state), "queue.delete \(name)")
    }

    /// A round trip that proves the broker still answers on this connection.
    func ping(exchange: String) throws {
        let state = try live()
        let arena = AMQPArena()
        amqp_exchange_declare(
            state,
            channel,
            arena.bytes(exchange),
            arena.bytes("topic"),
            1,
            0,
            0,
            0,
            amqp_table_t(num_entries: 0, entries: nil)
        )
        try check(amqp_get_rpc_reply(state), "exchange.declare passive \(exchange)")
    }

    /// Sends a heartbeat frame. librabbitmq sends heartbeats only inside its own calls, so a
    /// connection nobody uses (an idle publisher) would be closed by the broker after two
    /// missed heartbeats, and the next publish would find it dead.
    func sendHeartbeat() throws {
        let state = try live()
        var frame = amqp_frame_t()
        frame.frame_type = UInt8(AMQP_FRAME_HEARTBEAT)
        frame.channel = 0
        let status = amqp_send_frame(state, &frame)
        guard status == AMQP_STATUS_OK.rawValue else {
            throw AMQPError(kind: .connection, message: "heartbeat: \(Self.statusText(status))")
        }
    }

    // MARK: Publishing

    func enableConfirms() throws {
        let state = try live()
        amqp_confirm_select(state, channel)
        try check(amqp_get_rpc_reply(state), "confirm.select")
        confirmsEnabled = true
        lastDeliveryTag = 0
        confirms = ConfirmTracker()
    }

    /// Publishes one persistent message; returns its delivery tag for confirms.
    @discardableResult
    func publish(_ message: OutgoingMessage, exchange: String) throws -> UInt64 {
        let state = try live()
        let arena = AMQPArena()
        var properties = amqp_basic_properties_t()
        properties._flags =
            CRA_BASIC_CONTENT_TYPE_FLAG | CRA_BASIC_DELIVERY_MODE_FLAG | CRA_BASIC_MESSAGE_ID_FLAG
            | CRA_BASIC_TYPE_FLAG | CRA_BASIC_TIMESTAMP_FLAG
        properties.content_type = arena.bytes(message.contentType)
        properties.delivery_mode = 2  // persistent
        properties.message_id = arena.bytes(message.messageId)
        properties.type = arena.bytes(message.type)
        properties.timestamp = UInt64(max(0, message.timestamp.timeIntervalSince1970))
        if !message.headers.isEmpty {
            properties._flags |= CRA_BASIC_HEADERS_FLAG
            properties.headers = arena.table(message.headers)
        }
        let status = amqp_basic_publish(
            state,
            channel,
            arena.bytes(exchange),
            arena.bytes(message.routingKey),
            0,
            0,
            &properties,
            arena.bytes(message.body)
        )
        guard status == AMQP_STATUS_OK.rawValue else {
            throw AMQPError(kind: .connection, message: "basic.publish: \(Self.statusText(status))")
        }
        lastDeliveryTag += 1
        return lastDeliveryTag
    }

    /// Waits until the broker has confirmed every message published so far; returns the tags
    /// it refused (basic.nack).
    func waitForConfirms() throws -> Set<UInt64> {
        let state = try live()
        precondition(confirmsEnabled, "confirms were not enabled on this connection")
        let target = lastDeliveryTag
        let deadline = ContinuousClock.now + settings.replyTimeout
        while confirms.confirmedThrough < target {
            var frame = amqp_frame_t()
            var timeout = max(.zero, deadline - ContinuousClock.now).timeval
            let status = amqp_simple_wait_frame_noblock(state, &frame, &timeout)
            if status == AMQP_STATUS_TIMEOUT.rawValue {
                throw AMQPError(
                    kind: .timeout,
                    message: "no publisher confirm within \(settings.replyTimeout) (confirmed \(confirms.confirmedThrough) of \(target))"
                )
            }
            guard status == AMQP_STATUS_OK.rawValue else {
                throw AMQPError(kind: .connection, message: "waiting for confirms: \(Self.statusText(status))")
            }
            guard frame.frame_type == UInt8(AMQP_FRAME_METHOD) else { continue }
            switch frame.payload.method.id {
            case CRA_BASIC_ACK_METHOD:
                let ack = frame.payload.method.decoded.assumingMemoryBound(to: amqp_basic_ack_t.self).pointee
                confirms.settle(ack.delivery_tag, multiple: ack.multiple != 0, refuse: false)
            case CRA_BASIC_NACK_METHOD:
                let nack = frame.payload.method.decoded.assumingMemoryBound(to: amqp_basic_nack_t.self).pointee
                confirms.settle(nack.delivery_tag, multiple: nack.multiple != 0, refuse: true)
            case CRA_CONNECTION_CLOSE_METHOD, CRA_CHANNEL_CLOSE_METHOD:
                throw serverClose(frame.payload.method)
            default:
                continue  // connection.blocked/unblocked and the like: keep waiting
            }
        }
        // The acks' decoded frames are no longer needed: let librabbitmq reuse their memory
        // (without this a publisher's memory grows with every frame it reads).
        amqp_maybe_release_buffers(state)
        return confirms.takeRefused()
    }

    // MARK: Consuming

    func startConsuming(queue: String, prefetch: Int) throws {
        let state = try live()
        amqp_basic_qos(state, channel, 0, UInt16(clamping: prefetch), 0)
        try check(amqp_get_rpc_reply(state), "basic.qos")
        let arena = AMQPArena()
        amqp_basic_consume(
            state,
            channel,
            arena.bytes(queue),
            amqp_bytes_t(len: 0, bytes: nil),
            0,
            0,
            0,
            amqp_table_t(num_entries: 0, entries: nil)
        )
        try check(amqp_get_rpc_reply(state), "basic.consume \(queue)")
    }

    /// The next delivery, or nil if none came within `timeout`.
    func nextDelivery(timeout: Duration) throws -> IncomingMessage? {
        let state = try live()
        amqp_maybe_release_buffers(state)
        var envelope = amqp_envelope_t()
        var wait = timeout.timeval
        let reply = amqp_consume_message(state, &envelope, &wait, 0)
        switch reply.reply_type {
        case AMQP_RESPONSE_NORMAL:
            defer { amqp_destroy_envelope(&envelope) }
            return IncomingMessage(envelope: envelope)
        case AMQP_RESPONSE_LIBRARY_EXCEPTION where reply.library_error == AMQP_STATUS_TIMEOUT.rawValue:
            return nil
        case AMQP_RESPONSE_LIBRARY_EXCEPTION where reply.library_error == AMQP_STATUS_UNEXPECTED_STATE.rawValue:
            // A frame other than a delivery: read it and decide.
            var frame = amqp_frame_t()
            let status = amqp_simple_wait_frame(state, &frame)
            guard status == AMQP_STATUS_OK.rawValue else {
                throw AMQPError(kind: .connection, message: "reading frame: \(Self.statusText(status))")
            }
            if frame.frame_type == UInt8(AMQP_FRAME_METHOD) {
                switch frame.payload.method.id {
                case CRA_CONNECTION_CLOSE_METHOD, CRA_CHANNEL_CLOSE_METHOD:
                    throw serverClose(frame.payload.method)
                case CRA_BASIC_CANCEL_METHOD:
                    throw AMQPError(kind: .server, message: "the broker cancelled the consumer (queue deleted?)")
                default:
                    break
                }
            }
            return nil
        default:
            try check(reply, "basic.consume")
            return nil
        }
    }

    /// The message at the head of `queue`, unacknowledged (it goes back to the queue, in its
    /// place, when the channel closes unless acked), or nil if the queue is empty.
    func get(queue name: String) throws -> IncomingMessage? {
        let state = try live()
        amqp_maybe_release_buffers(state)
        let arena = AMQPArena()
        let reply = amqp_basic_get(state, channel, arena.bytes(name), 0)
        try check(reply, "basic.get \(name)")
        guard reply.reply.id == CRA_BASIC_GET_OK_METHOD else { return nil }
        // Read before the content frames, which reuse the decoding memory.
        let ok = reply.reply.decoded.assumingMemoryBound(to: amqp_basic_get_ok_t.self).pointee
        let (routingKey, exchange, tag, redelivered) = (ok.routing_key.string, ok.exchange.string, ok.delivery_tag, ok.redelivered != 0)
        var message = amqp_message_t()
        try check(amqp_read_message(state, channel, &message, 0), "basic.get \(name): content")
        defer { amqp_destroy_message(&message) }
        return IncomingMessage(message: message, routingKey: routingKey, exchange: exchange, redelivered: redelivered, deliveryTag: tag)
    }

    /// Acknowledges one delivery, or with `multiple` every unacknowledged one up to it.
    func ack(_ deliveryTag: UInt64, multiple: Bool = false) throws {
        let status = amqp_basic_ack(try live(), channel, deliveryTag, multiple ? 1 : 0)
        guard status == AMQP_STATUS_OK.rawValue else {
            throw AMQPError(kind: .connection, message: "basic.ack: \(Self.statusText(status))")
        }
    }

    func reject(_ deliveryTag: UInt64, requeue: Bool) throws {
        let status = amqp_basic_reject(try live(), channel, deliveryTag, requeue ? 1 : 0)
        guard status == AMQP_STATUS_OK.rawValue else {
            throw AMQPError(kind: .connection, message: "basic.reject: \(Self.statusText(status))")
        }
    }

    // MARK: Errors

    private func live() throws -> amqp_connection_state_t {
        guard let state else { throw AMQPError(kind: .connection, message: "connection closed") }
        return state
    }

    private func check(_ reply: amqp_rpc_reply_t, _ context: String) throws {
        switch reply.reply_type {
        case AMQP_RESPONSE_NORMAL:
            return
        case AMQP_RESPONSE_SERVER_EXCEPTION:
            throw serverClose(reply.reply, context: context)
        case AMQP_RESPONSE_LIBRARY_EXCEPTION:
            let kind: AMQPError.Kind = reply.library_error == AMQP_STATUS_TIMEOUT.rawValue ? .timeout : .connection
            throw AMQPError(kind: kind, message: "\(context): \(Self.statusText(reply.library_error))")
        default:
            throw AMQPError(kind: .connection, message: "\(context): no reply")
        }
    }

    private func serverClose(_ method: amqp_method_t, context: String = "broker") -> AMQPError {
        switch method.id {
        case CRA_CONNECTION_CLOSE_METHOD:
            let close = method.decoded.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
            if let state { amqp_send_method_ok(state, channel: 0, CRA_CONNECTION_CLOSE_OK_METHOD) }
            return AMQPError(kind: .server, message: "\(context): connection closed by broker: \(close.reply_code) \(close.reply_text.string)")
        case CRA_CHANNEL_CLOSE_METHOD:
            let close = method.decoded.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
            return AMQPError(kind: .server, message: "\(context): channel closed by broker: \(close.reply_code) \(close.reply_text.string)")
        default:
            return AMQPError(kind: .server, message: "\(context): unexpected method \(method.id)")
        }
    }

    static func statusText(_ status: Int32) -> String {
        String(cString: amqp_error_string2(status))
    }
}

private func amqp_send_method_ok(_ state: amqp_connection_state_t, channel: amqp_channel_t, _ method: amqp_method_number_t) {
    var ok = amqp_connection_close_ok_t(dummy: 0)
    amqp_send_method(state, channel, method, &ok)
}

extension IncomingMessage {
    init(envelope: amqp_envelope_t) {
        self.init(
            message: envelope.message,
            routingKey: envelope.routing_key.string,
            exchange: envelope.exchange.string,
            redelivered: envelope.redelivered != 0,
            deliveryTag: envelope.delivery_tag
        )
    }

    init(message: amqp_message_t, routingKey: String, exchange: String, redelivered: Bool, deliveryTag: UInt64) {
        let properties = message.properties
        func field(_ flag: amqp_flags_t, _ bytes: amqp_bytes_t) -> String? {
            properties._flags & flag != 0 ? bytes.string : nil
        }
        self.init(
            messageId: field(CRA_BASIC_MESSAGE_ID_FLAG, properties.message_id),
            routingKey: routingKey,
            type: field(CRA_BASIC_TYPE_FLAG, properties.type),
            exchange: exchange,
            body: message.body.data,
            headers: properties._flags & CRA_BASIC_HEADERS_FLAG != 0 ? properties.headers.headers : [:],
            contentType: field(CRA_BASIC_CONTENT_TYPE_FLAG, properties.content_type),
            timestamp: properties._flags & CRA_BASIC_TIMESTAMP_FLAG != 0
                ? Date(timeIntervalSince1970: Double(properties.timestamp)) : nil,
            redelivered: redelivered,
            deliveryTag: deliveryTag
        )
    }
}
