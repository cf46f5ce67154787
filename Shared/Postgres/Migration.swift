import Foundation

/// One versioned SQL file, such as `0003_add_payments.sql`.
public struct Migration: Sendable, Equatable {
    public let version: Int
    public let name: String
    public let sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// A stable fingerprint of the SQL, to notice a file edited after it was applied.
    public var checksum: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in sql.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }

    /// The migrations a target ships as the resource folder `folder` (`.copy("Migrations")`).
    public static func load(folder: String = "Migrations", in bundle: Bundle) throws -> [Migration] {
        guard let directory = bundle.url(forResource: folder, withExtension: nil) else {
            throw PostgresError(kind: .usage, message: "the \(folder) folder is missing from \(bundle.bundlePath)")
        }
        return try load(from: directory)
    }

    /// Every `NNNN_name.sql` file in `directory`, in version order; other files are ignored.
    public static func load(from directory: URL) throws -> [Migration] {
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
        let migrations = try files.compactMap { file -> Migration? in
            guard file.pathExtension == "sql" else { return nil }
            let base = file.deletingPathExtension().lastPathComponent
            guard let separator = base.firstIndex(of: "_"), let version = Int(base[..<separator]) else {
                throw PostgresError(kind: .usage, message: "migration file \(file.lastPathComponent) is not named NNNN_name.sql")
            }
            return Migration(
                version: version,
                name: String(base[base.index(after: separator)...]),
                sql: try String(contentsOf: file, encoding: .utf8)
            )
        }.sorted { $0.version < $1.version }
        for (previous, next) in zip(migrations, migrations.dropFirst()) where previous.version == next.version {
            throw PostgresError(kind: .usage, message: "two migrations share version \(next.version)")
        }
        return migrations
    }
}
