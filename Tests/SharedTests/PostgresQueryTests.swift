import Foundation
import Testing

@testable import Postgres

@Suite struct PostgresQueryTests {
    @Test func interpolatedValuesBecomeParameters() {
        let name = "Robert'); DROP TABLE students;--"
        let id: Int64 = 9_007_199_254_740_993  // above 2^53
        let query: PostgresQuery = "SELECT * FROM t WHERE name = \(name) AND id = \(id) AND note = \(nil as String?)"
        #expect(query.sql == "SELECT * FROM t WHERE name = $1 AND id = $2 AND note = $3")
        #expect(query.binds == [name, "9007199254740993", nil])
    }

    @Test func unescapedTextIsSplicedOnPurpose() {
        let query: PostgresQuery = "SELECT * FROM \(unescaped: "orders.outbox") WHERE id = \(1)"
        #expect(query.sql == "SELECT * FROM orders.outbox WHERE id = $1")
        #expect(query.binds == ["1"])
    }

    @Test func arraysAreQuotedLiterals() {
        #expect([Int64(1), 2, 3].postgresText == #"{"1","2","3"}"#)
        #expect(["a\"b", "c\\d", "e,f"].postgresText == #"{"a\"b","c\\d","e,f"}"#)
        #expect(["é\"✓", ""].postgresText == #"{"é\"✓",""}"#)
        #expect([String]().postgresText == "{}")
    }

    @Test func datesRoundTripThroughPostgresText() throws {
        let date = Date(timeIntervalSince1970: 1_700_000_000.123456)
        let text = try #require(date.postgresText)
        #expect(text == "2023-11-14 22:13:20.123456+00")
        let back = try Date(postgresText: text)
        #expect(abs(back.timeIntervalSince1970 - date.timeIntervalSince1970) < 0.000_001)
        #expect(try Date(postgresText: "2024-02-29 23:59:59+05:30").timeIntervalSince1970 == 1_709_231_399)
        #expect(try Date(postgresText: "1969-12-31 23:59:59+00").timeIntervalSince1970 == -1)
        #expect(throws: PostgresError.self) { try Date(postgresText: "yesterday") }
    }

    @Test func decimalsStayExact() throws {
        let value = try Decimal(postgresText: "12345678901234.10")
        #expect(value == Decimal(string: "12345678901234.1"))
        #expect(Decimal(string: "0.1")!.postgresText == "0.1")
        #expect(throws: PostgresError.self) { try Decimal(postgresText: "ten") }
    }

    @Test func byteaUsesHex() throws {
        let data = Data([0, 1, 0xab, 0xff])
        #expect(data.postgresText == "\\x0001abff")
        #expect(try Data(postgresText: "\\x0001ABff") == data)
        #expect(throws: PostgresError.self) { try Data(postgresText: "\\x0g") }
    }

    @Test func booleansAndIntegersDecode() throws {
        #expect(try Bool(postgresText: "t") == true)
        #expect(try Bool(postgresText: "f") == false)
        #expect(try Int64(postgresText: "-9223372036854775808") == Int64.min)
        #expect(throws: PostgresError.self) { try Int(postgresText: "1.5") }
    }

    @Test func errorsDescribeCodeAndMessageOnly() {
        let error = PostgresError(kind: .server, sqlState: .uniqueViolation, message: "duplicate key", constraint: "k")
        #expect(error.description == "PostgresError.server [23505]: duplicate key")
        #expect(error.isUniqueViolation)
        #expect(!error.isConnectionFailure)
        #expect(PostgresError(kind: .server, sqlState: .deadlockDetected, message: "").isRetryableTransactionFailure)
    }

    /// Only what one row can cause splits a batch; a read-only server after a failover, a
    /// missing table or privilege, a timeout or a busy pool fail every row the same way.
    @Test func onlyRowLevelFailuresAreBlamedOnOneRow() {
        func error(_ code: String?, kind: PostgresError.Kind = .server) -> PostgresError {
            PostgresError(kind: kind, sqlState: code.map { SQLState(rawValue: $0) }, message: "")
        }
        for code in ["23505", "23502", "22003", "22P02", "54000"] {
            #expect(error(code).mayBeCausedByOneRow, "\(code)")
        }
        for code in ["25006", "42P01", "42501", "55P03", "57014", "40001", "53300", "08006", "XX000"] {
            #expect(!error(code).mayBeCausedByOneRow, "\(code)")
        }
        #expect(!error(nil, kind: .busy).mayBeCausedByOneRow)
        #expect(!error(nil, kind: .connection).mayBeCausedByOneRow)
    }

    @Test func migrationFilesLoadInVersionOrder() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "SELECT 2;".write(to: folder.appendingPathComponent("0002_second.sql"), atomically: true, encoding: .utf8)
        try "SELECT 1;".write(to: folder.appendingPathComponent("0001_first.sql"), atomically: true, encoding: .utf8)
        try "notes".write(to: folder.appendingPathComponent("README.md"), atomically: true, encoding: .utf8)
        let migrations = try Migration.load(from: folder)
        #expect(migrations.map(\.version) == [1, 2])
        #expect(migrations.map(\.name) == ["first", "second"])
        #expect(migrations[0].checksum != migrations[1].checksum)

        try "SELECT 3;".write(to: folder.appendingPathComponent("nonumber.sql"), atomically: true, encoding: .utf8)
        #expect(throws: PostgresError.self) { try Migration.load(from: folder) }
    }
}
