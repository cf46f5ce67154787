import ServiceKit

@main
struct App {
    static func main() async {
        await ServiceMain.run("NotificationService") {
            try await buildApplication(try NotificationServiceConfiguration(environment: Environment()))
        }
    }
}
