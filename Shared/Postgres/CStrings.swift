import Foundation

/// Calls `body` with a C array of C strings (NULL for `nil`) that lives for the duration of
/// the call.
func withOptionalCStrings<R>(_ strings: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    let pointers = strings.map { $0.map { UnsafePointer(strdup($0)!) } }
    defer { pointers.forEach { $0.map { free(UnsafeMutablePointer(mutating: $0)) } } }
    return body(pointers)
}
