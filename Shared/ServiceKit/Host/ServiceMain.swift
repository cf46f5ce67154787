import Foundation
import Hummingbird
import Postgres

/// The body of every service's `main`: builds the application, runs it until SIGTERM or
/// SIGINT, and turns start-up failures into a one-line message and a non-zero exit.
public enum ServiceMain {
    public static func run<App: ApplicationProtocol>(_ name: String, _ build: @Sendable () async throws -> App) async {
        do {
            let app = try await build()
            try await app.runService()
        } catch let error as ConfigurationError {
            FileHandle.standardError.write(Data("\(name): \(error)\n".utf8))
            exit(2)
        } catch {
            FileHandle.standardError.write(Data("\(name): stopped: \(error)\n".utf8))
            exit(1)
        }
    }

    /// The migrations shipped in a service's `Migrations` folder; a service without them
    /// cannot start.
    public static func migrations(in bundle: Bundle) -> [Migration] {
        do {
            return try Migration.load(in: bundle)
        } catch {
            fatalError("cannot read migrations: \(error)")
        }
    }
}
