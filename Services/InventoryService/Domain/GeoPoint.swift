import Foundation

/// A position on the Earth in degrees (WGS 84, as Shopify and the catalog give them).
struct GeoPoint: Sendable, Hashable, Codable {
    var latitude: Double
    var longitude: Double

    /// Mean Earth radius (IUGG), the usual choice for great-circle distances.
    static let earthRadiusKm = 6371.0088

    /// Whether this is a real position: finite and in range.
    var isValid: Bool {
        latitude.isFinite && longitude.isFinite && (-90...90).contains(latitude) && (-180...180).contains(longitude)
    }

    /// Great-circle distance by the haversine formula, which stays accurate for short
    /// distances (where the spherical law of cosines loses precision).
    func distanceKm(to other: GeoPoint) -> Double {
        let φ1 = latitude * .pi / 180
        let φ2 = other.latitude * .pi / 180
        let Δφ = φ2 - φ1
        let Δλ = (other.longitude - longitude) * .pi / 180
        let a = pow(sin(Δφ / 2), 2) + cos(φ1) * cos(φ2) * pow(sin(Δλ / 2), 2)
        return 2 * Self.earthRadiusKm * asin(min(1, sqrt(a)))
    }
}
