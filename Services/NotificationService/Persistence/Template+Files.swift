import Foundation
import Synchronization

extension Template {
    /// The template `name` (e.g. `order-confirmed.email`) from the service's bundled files.
    static func load(_ name: String) throws -> Template {
        guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Templates") else {
            throw Missing(description: "no template \(name)")
        }
        return Template(name: name, text: try String(contentsOf: url, encoding: .utf8))
    }

    /// `load`, read once per process: the files ship with the build and do not change while
    /// it runs, and reading and parsing them for every event was a sixth of the service's CPU
    /// under load.
    static func cached(_ name: String) throws -> Template {
        if let template = loaded.withLock({ $0[name] }) { return template }
        let template = try load(name)
        loaded.withLock { $0[name] = template }
        return template
    }

    private static let loaded = Mutex<[String: Template]>([:])
}
