/// An error from PostgreSQL or from this layer.
///
/// Its description carries the SQLSTATE and the server's primary message only: never the
/// connection string, never bound values (the server's DETAIL line, which can quote them, is
/// kept out of it too).
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The connection could not be made or was lost; the pool discards it.
        case connection
        /// The server rejected the statement; `sqlState` says why.
        case server
        /// A value could not be decoded into the requested Swift type.
        case decoding
        /// The pool is closed or was used wrongly.
        case usage
        /// No pooled connection became free within the pool's acquire timeout; the same work
        /// may succeed later.
        case busy
    }

    public let kind: Kind
    public let sqlState: SQLState?
    public let message: String
    /// The constraint named by the server, e.g. for a unique violation.
    public let constraint: String?

    public init(kind: Kind, sqlState: SQLState? = nil, message: String, constraint: String? = nil) {
        self.kind = kind
        self.sqlState = sqlState
        self.message = message
        self.constraint = constraint
    }

    public var description: String {
        var text = "PostgresError.\(kind.rawValue)"
        if let sqlState { text += " [\(sqlState.rawValue)]" }
        text += ": \(message)"
        return text
    }

    public var isUniqueViolation: Bool { sqlState == .uniqueViolation }
    /// A transaction that may succeed if run again from the start.
    public var isRetryableTransactionFailure: Bool {
        sqlState == .serializationFailure || sqlState == .deadlockDetected
    }
    public var isConnectionFailure: Bool {
        kind == .connection || sqlState?.rawValue.hasPrefix("08") == true
            || sqlState == .adminShutdown || sqlState == .cannotConnectNow
    }
    /// The database could not be reached or had no connection to spare: nothing was done,
    /// and the same work may succeed later.
    public var isTemporary: Bool { isConnectionFailure || kind == .busy }

    /// Whether one row of a multi-row statement can have caused the failure, so that writing
    /// the rows one by one would store the others: a value the column cannot hold (class 22),
    /// a constraint (23), a row too large for an index (54). Any other failure is the whole
    /// statement's or the server's (a lost connection, no free connection, a read-only server
    /// after a failover, a missing table or privilege, a conflict, a timeout), and every row
    /// written alone would fail the same way.
    public var mayBeCausedByOneRow: Bool {
        guard kind == .server, let sqlState else { return false }
        return ["22", "23", "54"].contains(String(sqlState.rawValue.prefix(2)))
    }
}

/// A five-character PostgreSQL error code.
public struct SQLState: RawRepresentable, Hashable, Sendable {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let uniqueViolation = SQLState(rawValue: "23505")
    public static let foreignKeyViolation = SQLState(rawValue: "23503")
    public static let checkViolation = SQLState(rawValue: "23514")
    public static let notNullViolation = SQLState(rawValue: "23502")
    public static let serializationFailure = SQLState(rawValue: "40001")
    public static let deadlockDetected = SQLState(rawValue: "40P01")
    public static let insufficientPrivilege = SQLState(rawValue: "42501")
    public static let undefinedTable = SQLState(rawValue: "42P01")
    public static let syntaxError = SQLState(rawValue: "42601")
    public static let adminShutdown = SQLState(rawValue: "57P01")
    public static let cannotConnectNow = SQLState(rawValue: "57P03")
    public static let queryCanceled = SQLState(rawValue: "57014")
}
