import Foundation
import Hummingbird
import NIOCore
import Prometheus

/// `/health/live`, `/health/ready` and `/metrics`, the same on every service.
public struct HealthController<Context: RequestContext>: Sendable {
    let readiness: ReadinessCheck
    let registry: PrometheusCollectorRegistry

    public init(readiness: ReadinessCheck, registry: PrometheusCollectorRegistry) {
        self.readiness = readiness
        self.registry = registry
    }

    public func addRoutes(to router: Router<Context>) {
        router.get("/health/live") { _, _ in
            Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: #"{"status":"live"}"#)))
        }
        router.get("/health/ready") { _, _ in
            let report = await readiness.run()
            var checks: [String: String] = [:]
            for part in report.components { checks[part.name] = part.problem ?? "ok" }
            let document: [String: Any] = [
                "status": report.ready ? "ready" : "unavailable", "postgres": report.postgres ? "up" : "down",
                "rabbitmq": report.rabbitmq ? "up" : "down", "checks": checks, "reasons": report.reasons,
            ]
            let body = String(decoding: try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys]), as: UTF8.self)
            return Response(
                status: report.ready ? .ok : .serviceUnavailable,
                headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: body))
            )
        }
        router.get("/metrics") { _, _ in
            var buffer = [UInt8]()
            registry.emit(into: &buffer)
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: buffer))
            )
        }
    }
}
