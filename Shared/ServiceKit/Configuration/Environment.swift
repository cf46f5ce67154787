import Foundation
import Logging

/// Environment variables, read through typed accessors that fail with the variable's name.
public struct Environment: Sendable {
    let values: [String: String]

    public init(_ values: [String: String] = ProcessInfo.processInfo.environment) {
        self.values = values
    }

    public subscript(name: String) -> String? { values[name] }

    public func required(_ name: String) throws -> String {
        guard let value = values[name], !value.isEmpty else {
            throw ConfigurationError("\(name) is required")
        }
        return value
    }

    public func integer(_ name: String, default fallback: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let text = values[name], !text.isEmpty else { return fallback }
        guard let value = Int(text), range.contains(value) else {
            throw ConfigurationError("\(name) must be a whole number in \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    public func logLevel(_ name: String, default fallback: Logger.Level) throws -> Logger.Level {
        guard let text = values[name], !text.isEmpty else { return fallback }
        guard let level = Logger.Level(rawValue: text.lowercased()) else {
            let allowed = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
            throw ConfigurationError("\(name) must be one of \(allowed)")
        }
        return level
    }

    /// A comma-separated list, blanks dropped.
    public func list(_ name: String) -> [String] {
        (values[name] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = "configuration: " + description }
}
