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
        // Latitudes (phi) and the differences of latitude and longitude (lambda), in radians.
        let phi1 = latitude * .pi / 180
        let phi2 = other.latitude * .pi / 180
        let deltaPhi = phi2 - phi1
        let deltaLambda = (other.longitude - longitude) * .pi / 180
        let a = pow(sin(deltaPhi / 2), 2) + cos(phi1) * cos(phi2) * pow(sin(deltaLambda / 2), 2)
        return 2 * Self.earthRadiusKm * asin(min(1, sqrt(a)))
    }
}
