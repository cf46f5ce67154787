import Foundation

/// A catalog document refused because of one field: `field` names it as a path into the
/// document (`offers[2].margin`), `problem` says what is wrong.
struct CatalogError: Error, Sendable, CustomStringConvertible {
    var field: String
    var problem: String

    var description: String { "\(field): \(problem)" }

    init(field: String, _ problem: String) {
        self.field = field
        self.problem = problem
    }

    init(path: [any CodingKey], _ problem: String) {
        self.init(field: Self.describe(path), problem)
    }

    /// `[hubs, 1, radiusKm]` as `hubs[1].radiusKm`.
    static func describe(_ path: [any CodingKey]) -> String {
        var text = ""
        for key in path {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : "." + key.stringValue
            }
        }
        return text.isEmpty ? "(document)" : text
    }

    /// A decoding failure as the field it happened at.
    init(_ error: DecodingError) {
        switch error {
        case .keyNotFound(let key, let context):
            self.init(path: context.codingPath + [key], "is required")
        case .typeMismatch(let type, let context):
            self.init(path: context.codingPath, "must be \(Self.kind(of: type))")
        case .valueNotFound(let type, let context):
            self.init(path: context.codingPath, "must be \(Self.kind(of: type)), not null")
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                self.init(field: "(document)", "is not valid JSON")
            } else {
                self.init(path: context.codingPath, context.debugDescription)
            }
        @unknown default:
            self.init(field: "(document)", "cannot be read")
        }
    }

    /// Decodes a request body whose types check their fields with `FieldReader`, turning any
    /// failure into the field it happened at.
    static func decode<Body: Decodable>(_ type: Body.Type, from data: Data) throws(CatalogError) -> Body {
        do {
            return try JSONDecoder().decode(Body.self, from: data)
        } catch let error as CatalogError {
            throw error
        } catch let error as DecodingError {
            throw CatalogError(error)
        } catch {
            throw CatalogError(field: "(document)", "cannot be read: \(error)")
        }
    }

    private static func kind(of type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        case is Double.Type, is Int.Type, is Int64.Type: "a number"
        case is [Any].Type: "an array"
        default: type == [String: Any].self ? "an object" : "a \(type)"
        }
    }
}
