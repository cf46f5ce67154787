/// One row of a result, its values in PostgreSQL's text format.
public struct PostgresRow: Sendable {
    let columns: PostgresColumns
    let values: [String?]

    /// The raw text of a column, `nil` for SQL NULL.
    public subscript(column: String) -> String? {
        guard let index = columns.index(of: column) else { return nil }
        return values[index]
    }

    /// The value of `column` as `T`; throws if the column is missing, NULL where `T` is not
    /// optional, or not a valid `T`.
    public func decode<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        guard let index = columns.index(of: column) else {
            throw PostgresError(kind: .decoding, message: "no column named \(column)")
        }
        guard let text = values[index] else { return try T.postgresNull() }
        do {
            return try T(postgresText: text)
        } catch let error as PostgresError {
            throw PostgresError(kind: .decoding, message: "column \(column): \(error.message)")
        }
    }
}

/// Column names of one result, shared by its rows.
final class PostgresColumns: Sendable {
    let names: [String]
    private let positions: [String: Int]

    init(names: [String]) {
        self.names = names
        var positions = [String: Int]()
        for (index, name) in names.enumerated() where positions[name] == nil {
            positions[name] = index
        }
        self.positions = positions
    }

    func index(of name: String) -> Int? { positions[name] }
}

/// The rows a statement returned and how many rows it changed.
public struct PostgresResult: Sendable, RandomAccessCollection {
    public let rows: [PostgresRow]
    /// Rows inserted, updated or deleted (0 for other statements).
    public let affectedRows: Int

    public var startIndex: Int { rows.startIndex }
    public var endIndex: Int { rows.endIndex }
    public subscript(position: Int) -> PostgresRow { rows[position] }

    /// The single row's value of `column`, or nil when there is no row.
    public func scalar<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T? {
        guard let first = rows.first else { return nil }
        return try first.decode(column, as: T.self)
    }
}
