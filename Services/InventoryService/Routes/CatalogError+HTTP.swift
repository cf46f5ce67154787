import Hummingbird

/// A refused document is the client's to fix: 400 naming the field.
extension CatalogError: HTTPResponseError {
    var status: HTTPResponse.Status { .badRequest }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        try HTTPError(status, message: description).response(from: request, context: context)
    }
}
