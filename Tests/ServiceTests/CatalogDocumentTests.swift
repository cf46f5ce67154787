import Foundation
import Testing

@testable import InventoryService

/// The catalog document is refused at its first bad field, named by its path.
@Suite struct CatalogDocumentTests {
    func problem(_ json: String) -> String? {
        do {
            _ = try CatalogDocument.parse(Data(json.utf8))
            return nil
        } catch {
            return error.description
        }
    }

    @Test func aValidDocumentReadsExactly() throws {
        let document = try CatalogDocument.parse(
            Data(
                """
                {"hubs": [{"id": "H1", "name": "Andheri", "latitude": 19.11, "longitude": 72.86, "radiusKm": 12.5, "active": false}],
                 "vendors": [{"id": "V1", "name": "Acme", "email": "orders@acme.example", "latitude": 19.0, "longitude": 72.8}],
                 "products": [{"sku": "IPOD2008PINK", "shopifyVariantId": "9007199254740993", "title": "iPod"},
                              {"sku": "X", "shopifyVariantId": 808950810, "title": "X"}, {"sku": "Y", "title": "Y"}],
                 "offers": [{"vendorId": "V1", "sku": "IPOD2008PINK", "margin": "12.345678"}],
                 "stock": [{"sku": "IPOD2008PINK", "vendorId": "V1", "hubId": null, "quantity": 7},
                           {"sku": "IPOD2008PINK", "vendorId": "V1", "hubId": "H1", "quantity": 0}]}
                """.utf8
            )
        )
        #expect(document.hubs.first?.active == false)
        #expect(document.products.map(\.shopifyVariantId) == [9_007_199_254_740_993, 808_950_810, nil])
        #expect(document.offers.first?.margin == Decimal(string: "12.345678"))
        #expect(document.stock.map(\.hubId) == [nil, "H1"])
    }

    @Test(arguments: [
        (
            #"{"hubs": [{"id": "H1", "name": "A", "latitude": 1, "longitude": 2, "radiusKm": 3}, {"id": "H2", "name": "B", "latitude": 1, "longitude": 2, "radiusKm": -1}]}"#,
            "hubs[1].radiusKm"
        ),
        (#"{"hubs": [{"id": "H1", "name": "A", "latitude": 91, "longitude": 2, "radiusKm": 3}]}"#, "hubs[0].latitude"),
        (#"{"hubs": [{"id": "H1", "name": "A", "latitude": 1, "longitude": "2", "radiusKm": 3}]}"#, "hubs[0].longitude"),
        (#"{"hubs": [{"id": "", "name": "A", "latitude": 1, "longitude": 2, "radiusKm": 3}]}"#, "hubs[0].id"),
        (#"{"vendors": [{"id": "V1", "name": "A", "latitude": 1, "longitude": 2}]}"#, "vendors[0].email"),
        (#"{"vendors": [{"id": "V1", "name": "A", "email": "not-an-email", "latitude": 1, "longitude": 2}]}"#, "vendors[0].email"),
        (#"{"products": [{"sku": "A", "shopifyVariantId": "12x", "title": "A"}]}"#, "products[0].shopifyVariantId"),
        (#"{"products": [{"sku": "A", "title": "A"}, {"sku": "A", "title": "B"}]}"#, "products[1].sku"),
        (#"{"offers": [{"vendorId": "V1", "sku": "A", "margin": 12.5}]}"#, "offers[0].margin"),
        (#"{"offers": [{"vendorId": "V1", "sku": "A", "margin": "12,5"}]}"#, "offers[0].margin"),
        (#"{"stock": [{"sku": "A", "vendorId": "V1", "quantity": -1}]}"#, "stock[0].quantity"),
        (#"{"stock": [{"sku": "A", "vendorId": "V1", "quantity": 1.5}]}"#, "stock[0].quantity"),
        (#"{"stock": [{"sku": "A", "vendorId": "V1", "quantity": 1}, {"sku": "A", "vendorId": "V1", "hubId": null, "quantity": 2}]}"#, "stock[1]"),
        (#"{"hubs": {"id": "H1"}}"#, "hubs"),
        (#"[1, 2]"#, "(document)"),
        (#"{"hubs": ["#, "(document)"),
    ])
    func theFirstBadFieldIsNamed(json: String, field: String) {
        let problem = problem(json)
        #expect(problem?.hasPrefix(field + ":") == true, "\(problem ?? "accepted")")
    }
}
