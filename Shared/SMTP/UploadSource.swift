import Foundation

/// Bytes handed to libcurl piece by piece as it uploads them.
///
/// `@unchecked Sendable`: only the thread running the transfer reads it, and the transfer
/// holds a reference until it returns.
final class UploadSource: @unchecked Sendable {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ data: Data) {
        bytes = Array(data)
    }

    func read(into buffer: UnsafeMutablePointer<CChar>, capacity: Int) -> Int {
        let count = min(capacity, bytes.count - offset)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBufferPointer { source in
            UnsafeMutableRawPointer(buffer).copyMemory(from: source.baseAddress! + offset, byteCount: count)
        }
        offset += count
        return count
    }
}
