import Foundation

/// Calls `body` with a C array of C strings (NULL for `nil`) that lives for the duration of
/// the call.
func withOptionalCStrings<R>(_ strings: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    let pointers = strings.map { $0.map { UnsafePointer(strdup($0)!) } }
    defer { for pointer in pointers { pointer.map { free(UnsafeMutablePointer(mutating: $0)) } } }
    return body(pointers)
}

/// Calls `body` with libpq's parameter arrays (types, values, lengths, formats) for
/// `parameters`, alive for the duration of the call. Types, lengths and formats are nil when
/// all are text (the server infers the types); binary ones are typed bytea.
func withParameters<R>(
    _ parameters: [PostgresParameter?],
    _ body: ([UInt32]?, [UnsafePointer<CChar>?], [Int32]?, [Int32]?) -> R
) -> R {
    let byteaOID: UInt32 = 17
    var types = [UInt32](repeating: 0, count: parameters.count)
    var lengths = [Int32](repeating: 0, count: parameters.count)
    var formats = [Int32](repeating: 0, count: parameters.count)
    var binary = false
    let pointers = parameters.enumerated().map { index, parameter -> UnsafePointer<CChar>? in
        switch parameter {
        case nil:
            return nil
        case .text(let text):
            return UnsafePointer(strdup(text)!)
        case .binary(let bytes):
            binary = true
            types[index] = byteaOID
            lengths[index] = Int32(bytes.count)
            formats[index] = 1
            let memory = malloc(max(bytes.count, 1))!
            bytes.withUnsafeBytes { buffer in
                if let base = buffer.baseAddress { memory.copyMemory(from: base, byteCount: buffer.count) }
            }
            return UnsafePointer(memory.assumingMemoryBound(to: CChar.self))
        }
    }
    defer { for pointer in pointers { pointer.map { free(UnsafeMutablePointer(mutating: $0)) } } }
    return body(binary ? types : nil, pointers, binary ? lengths : nil, binary ? formats : nil)
}
