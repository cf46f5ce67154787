import Foundation

/// The body of `PUT /admin/catalog`. Every field is checked while it is read, in document
/// order, so the first bad one is the one reported; sections may be left out.
struct CatalogDocument: Decodable, Sendable {
    var hubs: [Hub] = []
    var vendors: [Vendor] = []
    var products: [Product] = []
    var offers: [Offer] = []
    var stock: [StockLevel] = []

    struct Hub: Decodable, Sendable, Encodable {
        var id: String, name: String, latitude: Double, longitude: Double, radiusKm: Double, active: Bool

        enum CodingKeys: String, CodingKey { case id, name, latitude, longitude, radiusKm, active }

        init(from decoder: any Decoder) throws {
            let fields = try FieldReader(decoder, keys: CodingKeys.self)
            id = try fields.text(.id)
            name = try fields.text(.name)
            latitude = try fields.number(.latitude, in: -90...90)
            longitude = try fields.number(.longitude, in: -180...180)
            radiusKm = try fields.number(.radiusKm, in: 0...20_037.6)  // half the Earth's circumference
            active = try fields.bool(.active, default: true)
        }
    }

    struct Vendor: Decodable, Sendable, Encodable {
        var id: String, name: String, email: String, latitude: Double, longitude: Double

        enum CodingKeys: String, CodingKey { case id, name, email, latitude, longitude }

        init(from decoder: any Decoder) throws {
            let fields = try FieldReader(decoder, keys: CodingKeys.self)
            id = try fields.text(.id)
            name = try fields.text(.name)
            email = try fields.text(.email, maxLength: 254)
            let parts = email.split(separator: "@", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !email.contains(" ") else {
                throw fields.fail(.email, "must be an email address")
            }
            latitude = try fields.number(.latitude, in: -90...90)
            longitude = try fields.number(.longitude, in: -180...180)
        }
    }

    struct Product: Decodable, Sendable, Encodable {
        var sku: String, shopifyVariantId: Int64?, title: String

        enum CodingKeys: String, CodingKey { case sku, shopifyVariantId, title }

        init(from decoder: any Decoder) throws {
            let fields = try FieldReader(decoder, keys: CodingKeys.self)
            sku = try fields.text(.sku)
            shopifyVariantId = try fields.shopifyId(.shopifyVariantId)
            title = try fields.text(.title, maxLength: 1000)
        }
    }

    struct Offer: Decodable, Sendable, Encodable {
        var vendorId: String, sku: String, margin: Decimal

        enum CodingKeys: String, CodingKey { case vendorId, sku, margin }

        init(from decoder: any Decoder) throws {
            let fields = try FieldReader(decoder, keys: CodingKeys.self)
            vendorId = try fields.text(.vendorId)
            sku = try fields.text(.sku)
            margin = try fields.decimal(.margin)
        }
    }

    struct StockLevel: Decodable, Sendable, Encodable {
        var sku: String, vendorId: String, hubId: String?, quantity: Int

        enum CodingKeys: String, CodingKey { case sku, vendorId, hubId, quantity }

        init(from decoder: any Decoder) throws {
            let fields = try FieldReader(decoder, keys: CodingKeys.self)
            sku = try fields.text(.sku)
            vendorId = try fields.text(.vendorId)
            hubId = try fields.optionalText(.hubId)
            quantity = try fields.wholeNumber(.quantity, in: 0...Int(Int32.max))
        }
    }

    enum CodingKeys: String, CodingKey { case hubs, vendors, products, offers, stock }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        hubs = try container.decodeIfPresent([Hub].self, forKey: .hubs) ?? []
        vendors = try container.decodeIfPresent([Vendor].self, forKey: .vendors) ?? []
        products = try container.decodeIfPresent([Product].self, forKey: .products) ?? []
        offers = try container.decodeIfPresent([Offer].self, forKey: .offers) ?? []
        stock = try container.decodeIfPresent([StockLevel].self, forKey: .stock) ?? []
    }

    /// Reads a document, or says which field is wrong.
    static func parse(_ data: Data) throws(CatalogError) -> CatalogDocument {
        let document = try CatalogError.decode(CatalogDocument.self, from: data)
        try document.checkDuplicates()
        return document
    }

    /// Within one document each thing appears once.
    func checkDuplicates() throws(CatalogError) {
        func firstRepeat<Item, Key: Hashable>(_ items: [Item], _ key: (Item) -> Key?) -> Int? {
            var seen = Set<Key>()
            for (index, item) in items.enumerated() {
                guard let value = key(item) else { continue }
                if !seen.insert(value).inserted { return index }
            }
            return nil
        }
        if let index = firstRepeat(hubs, \.id) { throw CatalogError(field: "hubs[\(index)].id", "appears twice") }
        if let index = firstRepeat(vendors, \.id) { throw CatalogError(field: "vendors[\(index)].id", "appears twice") }
        if let index = firstRepeat(products, \.sku) { throw CatalogError(field: "products[\(index)].sku", "appears twice") }
        if let index = firstRepeat(products, \.shopifyVariantId) {
            throw CatalogError(field: "products[\(index)].shopifyVariantId", "appears twice")
        }
        if let index = firstRepeat(offers, { [$0.vendorId, $0.sku] }) {
            throw CatalogError(field: "offers[\(index)]", "repeats the offer of vendor \(offers[index].vendorId) for \(offers[index].sku)")
        }
        if let index = firstRepeat(stock, { [$0.sku, $0.vendorId, $0.hubId ?? ""] }) {
            throw CatalogError(field: "stock[\(index)]", "repeats a level (same sku, vendorId and hubId)")
        }
    }
}
