import Foundation
import Hummingbird
import Messaging
import Postgres
import ServiceKit
import Synchronization
import TestSupport
import Testing

@testable import DeliveryService

/// With Shiprocket's tracking API configured, a COD shipment reported delivered is settled
/// only once the API (here a local fake) confirms it. On the fault stack, one test at a time:
/// a DeliveryService configured otherwise (other tests') must not process these webhooks.
extension FaultTests {
    /// A stand-in for Shiprocket's API: logs in with fixed credentials and tracks AWBs as told.
    final class FakeShiprocketAPI: Sendable {
        let delivered = Mutex<Set<String>>([])
        let logins = Mutex(0)

        func application(port: Int) -> some ApplicationProtocol {
            let router = Router()
            router.post("/auth/login") { request, _ -> Response in
                var request = request
                let body = try await request.collectBody(upTo: 10_000)
                let credentials = try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: String]
                guard credentials?["email"] == "api@example.com", credentials?["password"] == "secret" else {
                    return Response(status: .unauthorized)
                }
                self.logins.withLock { $0 += 1 }
                return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: #"{"token": "fake-token"}"#)))
            }
            router.get("/courier/track/awb/:awb") { request, context -> Response in
                guard request.headers[.authorization] == "Bearer fake-token" else { return Response(status: .unauthorized) }
                let awb = try context.parameters.require("awb")
                let done = self.delivered.withLock { $0.contains(awb) }
                let body =
                    done
                    ? #"{"tracking_data": {"track_status": 1, "shipment_status": 7, "shipment_track": [{"awb_code": "\#(awb)", "current_status": "Delivered"}]}}"#
                    : #"{"tracking_data": {"track_status": 1, "shipment_status": 18, "shipment_track": [{"awb_code": "\#(awb)", "current_status": "In Transit"}]}}"#
                return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: body)))
            }
            return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: testLogger)
        }
    }

    /// A DeliveryService that asks the fake API on `apiPort`, again after 1 s.
    func trackingApp(port: Int, apiPort: Int) async throws -> some ApplicationProtocol {
        try await DeliveryHarness.app(
            port: port,
            stack: stack,
            extra: [
                "LOG_LEVEL": "critical", "SHIPROCKET_API_URL": "http://127.0.0.1:\(apiPort)/", "SHIPROCKET_API_EMAIL": "api@example.com",
                "SHIPROCKET_API_PASSWORD": "secret", "SHIPROCKET_CONFIRM_RETRY_SECONDS": "1",
            ]
        )
    }

    @Test func codSettlementWaitsForTheTrackingAPIAndHappensOnce() async throws {
        let api = FakeShiprocketAPI()
        let delivery = DeliveryHarness(port: 28432, stack: stack)
        let topology = QueueTopology(queue: uniqueName("delivered-q"), bindings: [DeliveryDelivered.routingKey])
        let publisher = stack.publisher()
        try await publisher.declare(topology)
        await publisher.shutdown()
        let collector = MessageCollector(stack: stack, topology: topology)
        let pool = stack.pool(.delivery, size: 1, name: uniqueName("settlement"))
        let app = try await trackingApp(port: 28432, apiPort: 28431)
        let cod = uniqueName("cod")
        let prepaid = uniqueName("prepaid")
        let codAWB = uniqueName("awb")
        let prepaidAWB = uniqueName("awb")
        func announced(_ split: String) -> Int {
            collector.messages.compactMap { try? DeliveryDelivered.decode(from: $0.body) }.filter { $0.splitOrderId == split }.count
        }
        try await withRunningApplication(api.application(port: 28431)) { () async throws -> Void in
            try await withRunningApplication(app) { () async throws -> Void in
                try await DeliveryHarness.allocate(orderId: uniqueName("o"), splitOrderIds: [cod], method: "cod", collect: "250.00", stack: stack)
                try await DeliveryHarness.allocate(
                    orderId: uniqueName("o"),
                    splitOrderIds: [prepaid],
                    method: "prepaid",
                    collect: "0.00",
                    stack: stack
                )
                #expect(await eventually { await delivery.status(cod) == "pending" })
                #expect(await eventually { await delivery.status(prepaid) == "pending" })
                #expect(try await delivery.webhook(awb: codAWB, orderId: cod, status: 7, at: "07 06 2023 10:00:00").status == 200)
                #expect(try await delivery.webhook(awb: prepaidAWB, orderId: prepaid, status: 7, at: "07 06 2023 10:00:00").status == 200)
                #expect(await eventually { announced(prepaid) == 1 }, "nothing to collect: settled at once")
                #expect(await delivery.status(cod) == "delivered")
                // The API was asked and said in transit; any announcement would have been written
                // in the transaction that recorded the answer.
                #expect(await eventually { ((try? await delivery.settlementAttempts(cod, pool: pool)) ?? 0) >= 1 })
                #expect(try await delivery.announcements(cod, pool: pool) == 0, "the tracking API still says in transit")
                #expect(try await delivery.deliveries(splitOrderId: cod).first?.settlement == "awaiting_confirmation")

                api.delivered.withLock { _ = $0.insert(codAWB) }
                #expect(await eventually { announced(cod) == 1 })
                #expect(try await delivery.announcements(cod, pool: pool) == 1, "announced once")
                #expect(try await delivery.deliveries(splitOrderId: cod).first?.settlement == "announced")
                #expect(api.logins.withLock { $0 } == 1, "the token is kept between calls")
            }
        }
        await collector.stop()
        await pool.close()
    }

    /// A settlement the tracking API never confirmed within its attempts (marked so here:
    /// ten attempts take hours) is listed, and asked about again by an operator once the API
    /// answers; a second retry finds it announced and changes nothing.
    @Test func anUnconfirmedSettlementIsRetriedOnceByAnOperator() async throws {
        let api = FakeShiprocketAPI()
        let delivery = DeliveryHarness(port: 28462, stack: stack)
        let pool = stack.pool(.delivery, size: 1, name: uniqueName("unconfirmed"))
        let app = try await trackingApp(port: 28462, apiPort: 28463)
        let cod = uniqueName("cod")
        let awb = uniqueName("awb")
        try await withRunningApplication(api.application(port: 28463)) { () async throws -> Void in
            try await withRunningApplication(app) { () async throws -> Void in
                try await DeliveryHarness.allocate(orderId: uniqueName("o"), splitOrderIds: [cod], method: "cod", collect: "250.00", stack: stack)
                #expect(await eventually { await delivery.status(cod) == "pending" })
                #expect(try await delivery.webhook(awb: awb, orderId: cod, status: 7, at: "07 06 2023 10:00:00").status == 200)
                #expect(await eventually { ((try? await delivery.settlementAttempts(cod, pool: pool)) ?? 0) >= 1 })
                _ = try await pool.query(
                    "UPDATE deliveries SET settlement = 'unconfirmed', settlement_error = 'tracking says In Transit' WHERE split_order_id = \(cod)"
                )
                let listed = try await HTTPTest.get(delivery.base + "/admin/settlements/unconfirmed", token: "admin")
                #expect(listed.status == 200)
                #expect(listed.body.contains(cod) && listed.body.contains("tracking says In Transit"))

                api.delivered.withLock { _ = $0.insert(awb) }
                let retry = delivery.base + "/admin/settlements/\(cod)/retry"
                #expect(try await HTTPTest.send("POST", retry, json: "", token: "admin").status == 202)
                #expect(await eventually { (try? await delivery.announcements(cod, pool: pool)) == 1 }, "announced once confirmed")
                let again = try await HTTPTest.send("POST", retry, json: "", token: "admin")
                #expect(again.status == 409)
                #expect(again.body.contains("announced, not unconfirmed"))
                #expect(try await delivery.announcements(cod, pool: pool) == 1, "and not again")
                let unknown = try await HTTPTest.send("POST", delivery.base + "/admin/settlements/nobody/retry", json: "", token: "admin")
                #expect(unknown.status == 404)
            }
        }
        await pool.close()
    }
}
