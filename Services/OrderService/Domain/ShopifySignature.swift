import Crypto
import Foundation

/// Shopify's webhook signature: base64 HMAC-SHA256 of the raw body with the app's secret.
struct ShopifySignature: Sendable {
    private let secrets: [Data]

    /// Every secret is accepted, so a secret can be rotated while both are in use.
    init(secrets: [String]) {
        self.secrets = secrets.map { Data($0.utf8) }
    }

    /// Whether `header` signs `body` under one of the secrets. The comparison takes the same
    /// time wherever the first difference is.
    func isValid(body: some DataProtocol, header: String) -> Bool {
        guard let mac = Data(base64Encoded: header.trimmingCharacters(in: .whitespaces)),
            mac.count == SHA256.byteCount
        else { return false }
        var valid = false
        for secret in secrets {
            // Checks every secret, so timing does not reveal which one matched.
            let key = SymmetricKey(data: secret)
            valid = HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: body, using: key) || valid
        }
        return valid
    }

    /// The header value Shopify would send for `body` under `secret` (tests, the demo sender).
    static func sign(_ body: some DataProtocol, secret: String) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8)))).base64EncodedString()
    }
}
