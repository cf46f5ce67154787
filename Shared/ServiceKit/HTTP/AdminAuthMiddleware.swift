import Hummingbird

/// Lets a request through only with `Authorization: Bearer <ADMIN_TOKEN>`; otherwise 401.
/// With no token configured, every request is refused.
public struct AdminAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: [UInt8]?

    public init(token: String?) {
        self.token = token.map { Array($0.utf8) }
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token, let header = request.headers[.authorization], header.hasPrefix("Bearer "),
            constantTimeEqual(Array(header.utf8.dropFirst(7)), token)
        else {
            throw HTTPError(.unauthorized, headers: [.wwwAuthenticate: "Bearer"], message: "admin token required")
        }
        return try await next(request, context)
    }
}

/// Compares without stopping at the first difference, so timing does not reveal a prefix.
public func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
    for index in 0..<max(a.count, b.count) {
        let x = index < a.count ? a[index] : 0
        let y = index < b.count ? b[index] : 0
        difference |= x ^ y
    }
    return difference == 0
}
