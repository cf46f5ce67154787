import ServiceKit

extension OrderConfirmed.Point {
    /// An address's coordinates, when it has both.
    init?(_ address: ShopifyOrderWebhook.Address?) {
        guard let latitude = address?.latitude, let longitude = address?.longitude else { return nil }
        self.init(latitude: latitude, longitude: longitude)
    }
}

extension OrderConfirmed.Item {
    /// A payload line as it is allocated: what the order still has of it.
    init(_ line: ShopifyOrderWebhook.LineItem) {
        self.init(
            lineItemId: String(line.id),
            variantId: line.variantId.map(String.init),
            sku: line.sku ?? "",
            title: line.title,
            quantity: line.currentUnits,
            price: Money.format(Money.parse(line.price) ?? 0)
        )
    }
}
