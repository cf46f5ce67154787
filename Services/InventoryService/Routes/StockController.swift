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
            // CatalogError and StockAdjustmentError are HTTP errors (400 or 409) of their own.
            return try await stock.adjust(try StockAdjustmentRequest.parse(Data(buffer: body)))
        }
    }
}
extension StockRepository.AdjustmentResult: ResponseEncodable {}
extension CatalogRepository.Counts: ResponseEncodable {}
