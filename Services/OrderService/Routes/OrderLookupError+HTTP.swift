import Hummingbird

extension OrderLookupError: HTTPResponseError {
    var status: HTTPResponse.Status {
        switch self {
        case .notFound: .notFound
        case .inSeveralShops: .badRequest
        }
    }

    var message: String {
        switch self {
        case .notFound(let id): "no order \(id)"
        case .inSeveralShops(let id): "several shops have order \(id): add ?shop=<domain>"
        }
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        try HTTPError(status, message: message).response(from: request, context: context)
    }
}
