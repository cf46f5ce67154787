import CCurl

/// One libcurl easy handle, owned: it is freed with the last reference (its connection with
/// it). Every option goes through a typed setter whose result is checked, the one choke point
/// where libcurl's codes become `CurlError`s.
///
/// `@unchecked Sendable`: a handle is used by one thread at a time, as libcurl requires;
/// `SMTPClient` takes it from its idle list, uses it, and gives it back.
final class CurlEasy: @unchecked Sendable {
    private let handle: UnsafeMutableRawPointer

    init() throws(CurlError) {
        guard let handle = curl_easy_init() else { throw CurlError(CURLE_FAILED_INIT, context: "curl_easy_init") }
        self.handle = handle
    }

    deinit {
        curl_easy_cleanup(handle)
    }

    /// Forgets every option; the open connection stays, for the next transfer.
    func reset() {
        curl_easy_reset(handle)
    }

    func set(_ option: CURLoption, _ value: Int) throws(CurlError) {
        try check(ccurl_setopt_long(handle, option, value), option)
    }

    func set(_ option: CURLoption, _ value: String) throws(CurlError) {
        try check(ccurl_setopt_string(handle, option, value), option)
    }

    /// `list` must stay alive until `perform` returns.
    func set(_ option: CURLoption, list: UnsafeMutablePointer<curl_slist>?) throws(CurlError) {
        try check(ccurl_setopt_slist(handle, option, list), option)
    }

    /// `source` is read, on the calling thread, while `perform` runs.
    func setUpload(from source: UploadSource) throws(CurlError) {
        try set(CURLOPT_UPLOAD, 1)
        try check(
            ccurl_setopt_read_function(handle) { buffer, size, count, userdata in
                guard let buffer, let userdata else { return 0 }
                return Unmanaged<UploadSource>.fromOpaque(userdata).takeUnretainedValue().read(into: buffer, capacity: size * count)
            },
            CURLOPT_READFUNCTION
        )
        try check(ccurl_setopt_pointer(handle, CURLOPT_READDATA, Unmanaged.passUnretained(source).toOpaque()), CURLOPT_READDATA)
    }

    /// The transfer, blocking until it ends.
    func perform(context: String) throws(CurlError) {
        let result = curl_easy_perform(handle)
        guard result == CURLE_OK else { throw CurlError(result, responseCode: responseCode, context: context) }
    }

    /// The server's last response code (an SMTP reply code), 0 if none came.
    var responseCode: Int {
        var code = 0
        return ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code) == CURLE_OK ? code : 0
    }

    private func check(_ result: CURLcode, _ option: CURLoption) throws(CurlError) {
        guard result == CURLE_OK else { throw CurlError(result, context: "curl_easy_setopt(\(option.rawValue))") }
    }
}
