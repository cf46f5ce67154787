import Hummingbird

/// A refused adjustment: 409 when it conflicts with what is stored, 400 when it names
/// something that does not exist.
extension StockAdjustmentError: HTTPResponseError {
    var status: HTTPResponse.Status {
        switch self {
        case .keyReused, .wouldGoNegative: .conflict
        case .unknownReference: .badRequest
        }
    }

    var message: String {
        switch self {
        case .keyReused(let key):
            "idempotencyKey \(key) was already used for different changes"
        case .wouldGoNegative(let field, let level, let delta):
            "\(field): \(level.sku) of vendor \(level.vendorId)\(level.hubId.map { " at hub \($0)" } ?? "") has "
                + "\(level.quantity); a change of \(delta) would take it below 0. Nothing was applied."
        case .unknownReference(let field, let problem):
            "\(field): \(problem)"
        }
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        try HTTPError(status, message: message).response(from: request, context: context)
    }
}
