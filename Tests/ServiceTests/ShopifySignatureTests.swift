import Foundation
import TestSupport
import Testing

@testable import OrderService

@Suite struct ShopifySignatureTests {
    struct Vector: Decodable {
        var secret: String
        var raw_body: String
        var x_shopify_hmac_sha256: String
    }

    struct Vectors: Decodable { var vectors: [Vector] }

    static let vectors: [Vector] = {
        (try? JSONDecoder().decode(Vectors.self, from: Fixtures.data("shopify/hmac-vectors.json")).vectors) ?? []
    }()

    @Test func shopifysOwnVectorsVerify() throws {
        #expect(Self.vectors.count == 4)
        for vector in Self.vectors {
            let body = Data(vector.raw_body.utf8)
            #expect(ShopifySignature(secrets: [vector.secret]).isValid(body: body, header: vector.x_shopify_hmac_sha256))
            #expect(ShopifySignature.sign(body, secret: vector.secret) == vector.x_shopify_hmac_sha256)
            #expect(!ShopifySignature(secrets: ["other"]).isValid(body: body, header: vector.x_shopify_hmac_sha256))
            #expect(!ShopifySignature(secrets: [vector.secret]).isValid(body: body + Data(" ".utf8), header: vector.x_shopify_hmac_sha256))
        }
    }

    @Test func anyConfiguredSecretVerifiesDuringRotation() {
        let old = Self.vectors.first { $0.secret == "old_secret" }!
        let new = Self.vectors.first { $0.secret == "secret" }!
        let signature = ShopifySignature(secrets: ["secret", "old_secret"])
        #expect(signature.isValid(body: Data(old.raw_body.utf8), header: old.x_shopify_hmac_sha256))
        #expect(signature.isValid(body: Data(new.raw_body.utf8), header: new.x_shopify_hmac_sha256))
        #expect(!ShopifySignature(secrets: []).isValid(body: Data(new.raw_body.utf8), header: new.x_shopify_hmac_sha256))
    }

    @Test func malformedHeadersAreInvalid() {
        let signature = ShopifySignature(secrets: ["secret"])
        for header in ["", "not base64!", "YWJj", String(repeating: "A", count: 400)] {
            #expect(!signature.isValid(body: Data("{}".utf8), header: header))
        }
    }
}
