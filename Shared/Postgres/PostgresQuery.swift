import Foundation

/// A SQL statement whose interpolated values become `$n` parameters.
///
///     let query: PostgresQuery = "SELECT * FROM orders WHERE id = \(id)"
///
/// Values are always bound, never spliced into the SQL text. SQL that must be assembled from
/// strings goes through `init(unsafeSQL:)` or `\(unescaped:)`, names chosen to stand out.
public struct PostgresQuery: Sendable, ExpressibleByStringInterpolation {
    public var sql: String
    public var parameters: [PostgresParameter?]

    /// The parameters in text form (binary ones as bytea hex), for inspection.
    public var binds: [String?] { parameters.map { $0?.text } }

    public init(unsafeSQL sql: String, binds: [String?] = []) {
        self.sql = sql
        self.parameters = binds.map { $0.map(PostgresParameter.text) }
    }

    init(sql: String, parameters: [PostgresParameter?]) {
        self.sql = sql
        self.parameters = parameters
    }

    public init(stringLiteral value: String) {
        self.init(unsafeSQL: value)
    }

    public init(stringInterpolation: StringInterpolation) {
        self.init(sql: stringInterpolation.sql, parameters: stringInterpolation.binds)
    }

    public struct StringInterpolation: StringInterpolationProtocol {
        var sql = ""
        var binds: [PostgresParameter?] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            sql.reserveCapacity(literalCapacity + interpolationCount * 3)
            binds.reserveCapacity(interpolationCount)
        }

        public mutating func appendLiteral(_ literal: String) {
            sql += literal
        }

        public mutating func appendInterpolation(_ value: some PostgresEncodable) {
            binds.append(value.postgresParameter)
            sql += "$\(binds.count)"
        }

        public mutating func appendInterpolation(_ value: (some PostgresEncodable)?) {
            binds.append(value?.postgresParameter)
            sql += "$\(binds.count)"
        }

        /// Raw SQL text, for identifiers the code itself chooses (never for client input).
        public mutating func appendInterpolation(unescaped text: String) {
            sql += text
        }
    }
}

/// One bound value: text, or raw bytes sent in binary format (bytea), which spares encoding a
/// large body as hex.
public enum PostgresParameter: Sendable, Equatable {
    case text(String)
    case binary([UInt8])

    var text: String {
        switch self {
        case .text(let text): text
        case .binary(let bytes): Data(bytes).postgresText ?? ""
        }
    }
}
