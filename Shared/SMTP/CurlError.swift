import CCurl

/// A libcurl result other than CURLE_OK, with libcurl's description and, for a transfer, the
/// server's last response code (0 if none came).
public struct CurlError: Error, CustomStringConvertible, Sendable {
    public let code: UInt32
    public let responseCode: Int
    public let description: String

    init(_ result: CURLcode, responseCode: Int = 0, context: String) {
        code = result.rawValue
        self.responseCode = responseCode
        description =
            "\(context): \(String(cString: curl_easy_strerror(result)))"
            + (responseCode > 0 ? " (server said \(responseCode))" : "")
    }

    var isLoginDenied: Bool { code == CURLE_LOGIN_DENIED.rawValue }
}
