import Foundation
import Hummingbird

/// `GET /stock/{sku}` and `POST /admin/stock/adjustments`.
struct StockController: Sendable {
    static let maxBodyBytes = 1024 * 1024

    let stock: StockRepository

    struct SKULevels: ResponseEncodable, Decodable, Sendable {
        var sku: String
        var levels: [StockLevelView]
    }

    func addRoutes(to router: Router<BasicRequestContext>, admin: RouterGroup<BasicRequestContext>) {
        router.get("/stock/:sku") { _, context -> SKULevels in
            let sku = try context.parameters.require("sku")
            guard let levels = try await stock.levels(sku: sku) else {
                throw HTTPError(.notFound, message: "no product with SKU \(sku)")
            }
            return SKULevels(sku: sku, levels: levels)
        }
        admin.post("stock/adjustments") { request, _ -> StockRepository.AdjustmentResult in
            var request = request
            let body = try await request.collectBody(upTo: Self.maxBodyBytes)
            do {
                return try await stock.adjust(try StockAdjustmentRequest.parse(Data(buffer: body)))
            } catch let error as CatalogError {
                throw HTTPError(.badRequest, message: error.description)
            } catch StockAdjustmentError.keyReused(let key) {
                throw HTTPError(.conflict, message: "idempotencyKey \(key) was already used for different changes")
            } catch StockAdjustmentError.wouldGoNegative(let field, let level, let delta) {
                let place = level.hubId.map { " at hub \($0)" } ?? ""
                throw HTTPError(.conflict, message: """
                    \(field): \(level.sku) of vendor \(level.vendorId)\(place) has \(level.quantity); a change of \(delta) \
                    would take it below 0. Nothing was applied.
                    """)
            } catch StockAdjustmentError.unknownReference(let field, let problem) {
                throw HTTPError(.badRequest, message: "\(field): \(problem)")
            }
        }
    }
}
extension StockRepository.AdjustmentResult: ResponseEncodable {}
extension CatalogRepository.Counts: ResponseEncodable {}
