import Common
import Foundation
import Hummingbird
import Logging

/// `PUT /admin/catalog`: the whole document in one transaction, or 400 naming the first bad
/// field and nothing changed.
struct CatalogController: Sendable {
    static let maxBodyBytes = 32 * 1024 * 1024

    let catalog: CatalogRepository
    let logger: Logger

    func addRoutes(to admin: RouterGroup<BasicRequestContext>) {
        admin.put("catalog") { request, _ -> CatalogRepository.Counts in
            var request = request
            let body = try await request.collectBody(upTo: Self.maxBodyBytes)
            // A CatalogError is a 400 of its own.
            let counts = try await catalog.apply(try CatalogDocument.parse(Data(buffer: body)))
            logger.info(
                "catalog loaded",
                metadata: [
                    LogKey.hubs: "\(counts.hubs)", LogKey.vendors: "\(counts.vendors)", LogKey.products: "\(counts.products)",
                    LogKey.offers: "\(counts.offers)", LogKey.stock: "\(counts.stock)",
                ]
            )
            return counts
        }
    }
}
