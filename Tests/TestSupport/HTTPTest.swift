import AsyncHTTPClient
import Foundation
import NIOCore

/// An HTTP answer from a server under test.
public struct HTTPResult: Sendable {
    public var status: UInt
    public var body: String
}

/// Plain HTTP requests to the services under test.
public enum HTTPTest {
    public static func get(_ url: String, token: String? = nil) async throws -> HTTPResult {
        var request = HTTPClientRequest(url: url)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        return try await execute(request)
    }

    public static func post(_ url: String, body: Data, headers: [String: String] = [:]) async throws -> HTTPResult {
        try await request("POST", url, body: body, headers: headers)
    }

    /// The deadline also covers a server not listening yet: the client keeps trying to connect
    /// until then.
    private static func execute(_ request: HTTPClientRequest) async throws -> HTTPResult {
        let response = try await HTTPClient.shared.execute(request, timeout: TimeAmount(patience))
        let body = try await response.body.collect(upTo: 1 << 20)
        return HTTPResult(status: response.status.code, body: String(buffer: body))
    }
}

extension HTTPTest {
    /// A request with a JSON body and, optionally, the admin token.
    public static func send(_ method: String, _ url: String, json: String, token: String? = nil) async throws -> HTTPResult {
        var headers = ["Content-Type": "application/json"]
        if let token { headers["Authorization"] = "Bearer \(token)" }
        return try await request(method, url, body: Data(json.utf8), headers: headers)
    }

    public static func request(_ method: String, _ url: String, body: Data, headers: [String: String]) async throws -> HTTPResult {
        var request = HTTPClientRequest(url: url)
        request.method = .init(rawValue: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        return try await execute(request)
    }
}
