import Hummingbird
import ServiceKit

/// The whole service, as `main` runs it and as tests build it.
func buildApplication(_ configuration: InventoryServiceConfiguration) async throws -> some ApplicationProtocol {
    let context = try await ServiceHost.prepare(.inventoryService, configuration: configuration.service)
    let router = ServiceHost.router(context)
    return ServiceHost.application(context, router: router)
}
