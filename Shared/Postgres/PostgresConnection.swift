import CLibPQ

/// One libpq connection. Every method blocks: call them only from the pool's I/O threads.
///
/// `@unchecked Sendable`: the handle is used by one thread at a time, because a connection is
/// either idle in the pool or leased to exactly one caller, whose calls run one after another.
final class PostgresConnection: @unchecked Sendable {
    private var handle: OpaquePointer?
    /// The password, kept only to scrub it from any error text libpq might echo.
    private let secret: String?

    init(settings: PostgresSettings) throws {
        secret = settings.password
        // The URL (dbname, expanded) comes last, so that what it sets overrides these.
        let deadPeer = settings.deadPeerTimeout
        let keywords = ["connect_timeout", "application_name"] + deadPeer.clientKeywords.map(\.0) + ["options", "dbname"]
        let values =
            [String(settings.connectTimeoutSeconds), settings.applicationName] + deadPeer.clientKeywords.map(\.1) + [
                "-c TimeZone=UTC -c DateStyle=ISO " + deadPeer.serverOptions
                    + (settings.searchPath.map { " -c search_path=\($0)" } ?? ""),
                settings.url,
            ]
        // Both arrays end with NULL, as libpq expects.
        handle = withOptionalCStrings(keywords + [nil]) { keywordPointers in
            withOptionalCStrings(values + [nil]) { valuePointers in
                PQconnectdbParams(keywordPointers, valuePointers, 1)
            }
        }
        guard let handle, PQstatus(handle) == CONNECTION_OK else {
            let message = handle.map { scrub(String(cString: PQerrorMessage($0))) } ?? "out of memory"
            close()
            throw PostgresError(kind: .connection, message: message)
        }
        // NOTICEs ("relation already exists, skipping") would go to stderr unstructured.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
    }

    deinit { close() }

    func close() {
        if let handle { PQfinish(handle) }
        handle = nil
    }

    /// Whether the connection still looks usable: reads whatever the server sent while it was
    /// idle (such as the notice that it is shutting down) without waiting.
    var isAlive: Bool {
        guard let handle else { return false }
        _ = PQconsumeInput(handle)
        return PQstatus(handle) == CONNECTION_OK && PQtransactionStatus(handle) == PQTRANS_IDLE
    }

    /// Runs one statement with bound parameters (extended protocol, text format).
    func execute(_ query: PostgresQuery) throws -> PostgresResult {
        let handle = try liveHandle()
        let result = withParameters(query.parameters) { types, values, lengths, formats in
            PQexecParams(handle, query.sql, Int32(query.parameters.count), types, values, lengths, formats, 0)
        }
        return try consume(result)
    }

    /// Runs SQL text that may hold several statements and no parameters (simple protocol):
    /// for migrations only.
    func executeScript(_ sql: String) throws {
        let handle = try liveHandle()
        _ = try consume(PQexec(handle, sql))
    }

    private func liveHandle() throws -> OpaquePointer {
        guard let handle else { throw PostgresError(kind: .connection, message: "connection closed") }
        return handle
    }

    private func consume(_ result: OpaquePointer?) throws -> PostgresResult {
        guard let result else { throw connectionError() }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            return PostgresResult(rows: [], affectedRows: affectedRows(result))
        case PGRES_TUPLES_OK:
            return PostgresResult(rows: copyRows(result), affectedRows: affectedRows(result))
        default:
            throw serverError(result)
        }
    }

    private func copyRows(_ result: OpaquePointer) -> [PostgresRow] {
        let rowCount = PQntuples(result)
        let columnCount = PQnfields(result)
        let columns = PostgresColumns(names: (0..<columnCount).map { String(cString: PQfname(result, $0)) })
        var rows = [PostgresRow]()
        rows.reserveCapacity(Int(rowCount))
        for row in 0..<rowCount {
            let values = (0..<columnCount).map { column -> String? in
                PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column))
            }
            rows.append(PostgresRow(columns: columns, values: values))
        }
        return rows
    }

    private func affectedRows(_ result: OpaquePointer) -> Int {
        Int(String(cString: PQcmdTuples(result))) ?? 0
    }

    private func serverError(_ result: OpaquePointer) -> PostgresError {
        func field(_ code: Character) -> String? {
            PQresultErrorField(result, Int32(code.asciiValue!)).map { String(cString: $0) }
        }
        let state = field("C").map(SQLState.init(rawValue:))
        let message = field("M") ?? String(cString: PQresultErrorMessage(result))
        let connectionLost = handle.map { PQstatus($0) != CONNECTION_OK } ?? true
        return PostgresError(
            kind: connectionLost || state == nil ? .connection : .server,
            sqlState: state,
            message: scrub(message),
            constraint: field("n")
        )
    }

    private func connectionError() -> PostgresError {
        let message = handle.map { String(cString: PQerrorMessage($0)) } ?? "connection closed"
        return PostgresError(kind: .connection, message: scrub(message))
    }

    private func scrub(_ text: String) -> String {
        var text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if let secret, !secret.isEmpty { text = text.replacingOccurrences(of: secret, with: "***") }
        return text
    }
}
