import Foundation
import ServiceKit
import Testing

/// The four services keep one shape (README, "Layout"): the same folders with the same roles,
/// and `Domain/` free of I/O so that it is tested without servers.
@Suite struct LayoutTests {
    static let root = URL(filePath: #filePath).deletingLastPathComponent().appending(path: "../../Services").standardized
    static let folders: Set = [
        "Configuration", "Consumers", "Domain", "Events", "Migrations", "Persistence", "Providers", "Routes", "Templates",
        "Workers",
    ]
    /// What `Domain/` may import: pure libraries only (ServiceKit is not one: it brings
    /// Postgres, Messaging and Hummingbird; the shared pure basics are in Common).
    static let pureModules: Set = ["Common", "Crypto", "Foundation", "Synchronization"]

    static func contents(_ url: URL) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: url, includingPropertiesForKeys: [.isDirectoryKey])
    }

    static func isFolder(_ url: URL) throws -> Bool {
        try url.resourceValues(forKeys: [.isDirectoryKey]).isDirectory == true
    }

    @Test(arguments: ServiceName.allCases)
    func everyServiceHasTheSameFoldersAndEntryFiles(_ service: ServiceName) throws {
        let entries = try Self.contents(Self.root.appending(path: service.rawValue))
        let folders = Set(try entries.filter(Self.isFolder).map(\.lastPathComponent))
        let files = Set(try entries.filter { try !Self.isFolder($0) }.map(\.lastPathComponent))
        #expect(folders.isSubset(of: Self.folders), "unexpected folders: \(folders.subtracting(Self.folders).sorted())")
        #expect(folders.isSuperset(of: ["Configuration", "Consumers", "Domain", "Events", "Migrations", "Persistence", "Routes"]))
        #expect(files == ["App.swift", "Application+build.swift", "\(service.rawValue)Definition.swift"])
    }

    @Test(arguments: ServiceName.allCases)
    func domainCodeImportsNoIO(_ service: ServiceName) throws {
        let domain = Self.root.appending(path: "\(service.rawValue)/Domain")
        let sources = try Self.contents(domain).filter { $0.pathExtension == "swift" }
        #expect(!sources.isEmpty)
        for source in sources {
            let imports = Self.imports(in: try String(contentsOf: source, encoding: .utf8))
            #expect(Set(imports).isSubset(of: Self.pureModules), "\(source.lastPathComponent) imports \(imports)")
        }
    }

    @Test func noServiceImportsACLibrary() throws {
        let files = try #require(FileManager.default.enumerator(at: Self.root, includingPropertiesForKeys: nil))
        var sources = 0
        for case let file as URL in files where file.pathExtension == "swift" {
            sources += 1
            let imports = Self.imports(in: try String(contentsOf: file, encoding: .utf8))
            #expect(imports.allSatisfy { !["CCurl", "CLibPQ", "CRabbitMQ"].contains($0) }, "\(file.lastPathComponent) imports \(imports)")
        }
        #expect(sources > 50)
    }

    /// The modules a source file imports, however the import is spelled (attributes, access
    /// level, `import struct Module.Type`).
    static func imports(in source: String) -> [String] {
        let pattern =
            /^\s*(?:@\w+\s+)*(?:(?:public|package|internal|fileprivate|private)\s+)?import\s+(?:(?:typealias|struct|class|enum|protocol|let|var|func)\s+)?(\w+)/
        return source.split(separator: "\n").compactMap { line in (try? pattern.prefixMatch(in: line)).flatMap { $0.map { String($0.1) } } }
    }

    @Test func importsAreReadHoweverTheyAreSpelled() {
        let source = """
            import Foundation
            @preconcurrency import Postgres
            public import NIOCore
            import struct Messaging.IncomingMessage
            // import Hummingbird
            let text = "import Logging"
            """
        #expect(Self.imports(in: source) == ["Foundation", "Postgres", "NIOCore", "Messaging"])
    }
}
