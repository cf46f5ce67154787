import CCurl
import Synchronization

/// Idle libcurl easy handles, each keeping its SMTP connection open for the next message.
final class CurlHandles: Sendable {
    /// A handle is used by one thread at a time: taken from here, used, given back.
    struct Handle: @unchecked Sendable {
        let curl: UnsafeMutableRawPointer
    }

    private let idle = Mutex<[Handle]>([])

    /// An idle handle, or a new one (nil if libcurl cannot make one).
    func take() -> Handle? {
        if let handle = idle.withLock({ $0.popLast() }) { return handle }
        return curl_easy_init().map(Handle.init)
    }

    func give(back handle: Handle) {
        idle.withLock { $0.append(handle) }
    }

    deinit {
        for handle in idle.withLock({ $0 }) { curl_easy_cleanup(handle.curl) }
    }
}
