import ServiceKit

@main
struct App {
    static func main() async {
        await ServiceMain.run("DeliveryService") {
            try await buildApplication(try DeliveryServiceConfiguration(environment: Environment()))
        }
    }
}
