import ServiceKit

@main
struct App {
    static func main() async {
        await ServiceMain.run("OrderService") {
            try await buildApplication(try OrderServiceConfiguration(environment: Environment()))
        }
    }
}
