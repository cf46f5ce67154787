import ServiceKit

@main
struct App {
    static func main() async {
        await ServiceMain.run("InventoryService") {
            try await buildApplication(try InventoryServiceConfiguration(environment: Environment()))
        }
    }
}
