import Foundation
import ServiceKit
import Testing

@testable import DeliveryService
@testable import InventoryService
@testable import NotificationService
@testable import OrderService

/// What each publisher encodes, every consumer named in `EventRoute`'s table decodes, and
/// reads the same values from: a consumer's reading of an event, encoded again, is part of
/// the publisher's document (same keys, same values).
@Suite struct EventContractTests {
    struct Contract: Sendable {
        var published: any IntegrationEvent
        var readers: [any IntegrationEvent.Type]
    }

    static let customer = OrderService.CustomerContact(
        email: "john@example.com",
        firstName: "John",
        lastName: "Smith",
        phone: "+91 98200 00000"
    )
    static let payment = OrderService.OrderConfirmed.Payment(
        method: "cod",
        status: "pending",
        totalAmount: "990.00",
        collectedAmount: "0.00",
        remainingAmount: "990.00"
    )
    static let item = OrderService.OrderConfirmed.Item(
        lineItemId: "866550311766439020",
        variantId: "808950810",
        sku: "IPOD2008PINK",
        title: "IPod Nano - 8GB",
        quantity: 2,
        price: "495.00"
    )

    static let contracts: [EventRoute: Contract] = [
        .orderConfirmed: Contract(
            published: OrderService.OrderConfirmed(
                orderId: "42",
                shopifyOrderId: "820982911946154508",
                shopDomain: "shop.myshopify.com",
                name: "#9999",
                currency: "INR",
                customer: customer,
                shippingPoint: .init(latitude: 19.1197, longitude: 72.8468),
                billingPoint: .init(latitude: 12.97, longitude: 77.59),
                items: [item],
                payment: payment
            ),
            readers: [InventoryService.OrderConfirmed.self, NotificationService.OrderConfirmed.self]
        ),
        .orderCancelled: Contract(
            published: OrderService.OrderCancelled(
                orderId: "42",
                shopifyOrderId: "820982911946154508",
                shopDomain: "shop.myshopify.com",
                keptLineItemIds: ["866550311766439020"]
            ),
            readers: [InventoryService.OrderCancelled.self]
        ),
        .sellerOrderCancelled: Contract(
            published: OrderService.SellerOrderCancelled(
                splitOrderId: "42-2",
                orderId: "42",
                shopifyOrderId: "820982911946154508",
                shopDomain: "shop.myshopify.com",
                name: "#9999",
                vendorId: "VEND-MUM-3",
                vendorName: "Andheri Gadgets",
                vendorEmail: "orders@andheri.example",
                hubId: "HUB-MUM-ANDHERI"
            ),
            readers: [DeliveryService.SellerOrderCancelled.self, NotificationService.SellerOrderCancelled.self]
        ),
        .inventoryAllocated: Contract(
            published: InventoryService.InventoryAllocated(
                orderId: "42",
                shopifyOrderId: "820982911946154508",
                shopDomain: "shop.myshopify.com",
                lines: [
                    .init(
                        lineItemId: "866550311766439020",
                        sku: "IPOD2008PINK",
                        quantity: 2,
                        vendorId: "VEND-MUM-2",
                        vendorName: "Powai Electronics",
                        vendorEmail: "sales@powai.example",
                        hubId: "HUB-MUM-ANDHERI",
                        flow: "HUB"
                    ),
                    .init(
                        lineItemId: "866550311766439021",
                        sku: "IPOD2008BLUE",
                        quantity: 1,
                        vendorId: "VEND-MUM-3",
                        vendorName: "Andheri Gadgets",
                        vendorEmail: "orders@andheri.example",
                        hubId: nil,
                        flow: "NORMAL"
                    ),
                ],
                // Set for lines an edit added; absent (nil) for the order's own allocation.
                revision: "2023-06-08T10:00:00Z"
            ),
            readers: [OrderService.InventoryAllocated.self]
        ),
        .inventoryAllocationFailed: Contract(
            published: InventoryService.InventoryAllocationFailed(
                orderId: "42",
                shopifyOrderId: "820982911946154508",
                shopDomain: "shop.myshopify.com",
                reason: "no vendor has IPOD2008PINK",
                unfilledLines: [.init(lineItemId: "1", sku: "IPOD2008PINK", quantity: 2)],
                revision: "2023-06-08T10:00:00Z"
            ),
            readers: [OrderService.InventoryAllocationFailed.self]
        ),
        .orderAllocated: Contract(
            published: OrderService.OrderAllocated(
                orderId: "42",
                shopifyOrderId: "820982911946154508",
                shopDomain: "shop.myshopify.com",
                name: "#9999",
                currency: "INR",
                customer: customer,
                payment: payment,
                sellerOrders: [
                    .init(
                        splitOrderId: "42-1",
                        vendorId: "VEND-MUM-2",
                        vendorName: "Powai Electronics",
                        vendorEmail: "sales@powai.example",
                        hubId: "HUB-MUM-ANDHERI",
                        flow: "HUB",
                        itemsAmount: "990.00",
                        collectAmount: "990.00",
                        items: [item]
                    )
                ]
            ),
            readers: [DeliveryService.OrderAllocated.self, NotificationService.OrderAllocated.self]
        ),
        .orderAllocationFailed: Contract(
            published: OrderService.OrderAllocationFailed(
                orderId: "42",
                shopifyOrderId: "820982911946154508",
                shopDomain: "shop.myshopify.com",
                name: "#9999",
                customerEmail: "john@example.com",
                reason: "no vendor has IPOD2008PINK"
            ),
            readers: [NotificationService.OrderAllocationFailed.self]
        ),
        .deliveryStatusChanged: Contract(
            published: DeliveryService.DeliveryStatusChanged(
                splitOrderId: "42-1",
                orderId: "42",
                shopifyOrderId: "820982911946154508",
                shopDomain: "shop.myshopify.com",
                awb: "19041424751540",
                previousStatus: "shipped",
                status: "in_transit",
                shiprocketStatus: "IN TRANSIT",
                shiprocketStatusId: 18
            ),
            readers: [NotificationService.DeliveryStatusChanged.self]
        ),
        .deliveryDelivered: Contract(
            published: DeliveryService.DeliveryDelivered(
                splitOrderId: "42-1",
                orderId: "42",
                shopifyOrderId: "820982911946154508",
                shopDomain: "shop.myshopify.com",
                awb: "19041424751540",
                collectedAmount: "990.00",
                currency: "INR"
            ),
            readers: [OrderService.DeliveryDelivered.self]
        ),
        .orderDelivered: Contract(
            published: OrderService.OrderDelivered(
                orderId: "42",
                shopifyOrderId: "820982911946154508",
                shopDomain: "shop.myshopify.com",
                name: "#9999",
                currency: "INR",
                customer: customer,
                payment: payment
            ),
            readers: [NotificationService.OrderDelivered.self]
        ),
        .sellerOrderCollectionChanged: Contract(
            published: OrderService.SellerOrderCollectionChanged(
                splitOrderId: "42-1",
                orderId: "42",
                shopifyOrderId: "820982911946154508",
                shopDomain: "shop.myshopify.com",
                name: "#9999",
                currency: "INR",
                vendorId: "VEND-MUM-2",
                vendorName: "Powai Electronics",
                vendorEmail: "sales@powai.example",
                previousCollectAmount: "990.00",
                collectAmount: "0.00",
                version: 1
            ),
            readers: [DeliveryService.SellerOrderCollectionChanged.self, NotificationService.SellerOrderCollectionChanged.self]
        ),
        .orderRefunded: Contract(
            published: OrderService.OrderRefunded(
                orderId: "42",
                shopifyOrderId: "820982911946154508",
                shopDomain: "shop.myshopify.com",
                refundId: "890088186047892319",
                amount: "495.00",
                currency: "INR",
                restocked: [.init(lineItemId: "866550311766439020", quantity: 1, addedRevision: "2023-06-06T10:00:00Z")]
            ),
            readers: [InventoryService.OrderRefunded.self]
        ),
        .orderEdited: Contract(
            published: OrderService.OrderEdited(
                orderId: "42",
                shopifyOrderId: "820982911946154508",
                shopDomain: "shop.myshopify.com",
                revision: "2023-06-07T10:00:00Z",
                released: [.init(lineItemId: "866550311766439020", quantity: 1, addedRevision: "2023-06-06T10:00:00Z")]
            ),
            readers: [InventoryService.OrderEdited.self]
        ),
        .orderLinesAdded: Contract(
            published: OrderService.OrderLinesAdded(
                orderId: "42",
                shopifyOrderId: "820982911946154508",
                shopDomain: "shop.myshopify.com",
                revision: "2023-06-08T10:00:00Z",
                shippingPoint: .init(latitude: 19.1197, longitude: 72.8468),
                billingPoint: .init(latitude: 12.97, longitude: 77.59),
                items: [item]
            ),
            readers: [InventoryService.OrderLinesAdded.self]
        ),
        .sellerOrderChanged: Contract(
            published: OrderService.SellerOrderChanged(
                splitOrderId: "42-1",
                orderId: "42",
                shopifyOrderId: "820982911946154508",
                shopDomain: "shop.myshopify.com",
                name: "#9999",
                vendorId: "VEND-MUM-2",
                vendorName: "Powai Electronics",
                vendorEmail: "sales@powai.example",
                itemsAmount: "495.00",
                revision: "2023-06-07T10:00:00Z",
                items: [.init(lineItemId: "866550311766439020", sku: "IPOD2008PINK", title: "IPod Nano - 8GB", quantity: 1)]
            ),
            readers: [NotificationService.SellerOrderChanged.self]
        ),
        .sellerOrderDeliveredAfterCancel: Contract(
            published: OrderService.SellerOrderDeliveredAfterCancel(
                splitOrderId: "42-2",
                orderId: "42",
                shopifyOrderId: "820982911946154508",
                shopDomain: "shop.myshopify.com",
                lines: [.init(lineItemId: "141249953214522974", quantity: 1)]
            ),
            readers: [InventoryService.SellerOrderDeliveredAfterCancel.self]
        ),
    ]

    /// The module a type is declared in: the service that sends or reads the event.
    static func module(of type: Any.Type) -> String {
        String(String(reflecting: type).prefix { $0 != "." })
    }

    @Test func everyRouteHasAContractWithTheTablesPublisherAndConsumers() {
        #expect(Set(Self.contracts.keys) == Set(EventRoute.allCases))
        for (route, contract) in Self.contracts {
            let published = type(of: contract.published)
            #expect(published.route == route)
            #expect(Self.module(of: published) == route.publisher.rawValue, "\(route.rawValue) published by")
            #expect(contract.readers.map { Self.module(of: $0) }.sorted() == route.consumers.map(\.rawValue).sorted(), "\(route.rawValue) read by")
            for reader in contract.readers {
                #expect(reader.route == route, "\(reader) reads \(route.rawValue)")
            }
        }
    }

    @Test(arguments: EventRoute.allCases)
    func whatThePublisherSendsEveryConsumerReads(_ route: EventRoute) throws {
        let contract = try #require(Self.contracts[route])
        let body = try contract.published.encoded()
        let document = try JSONSerialization.jsonObject(with: body)
        for reader in contract.readers {
            let reading = try Self.read(reader, body)
            let encoded = try JSONSerialization.jsonObject(with: reading.encoded())
            #expect(Self.differences(encoded, in: document).isEmpty, "\(reader): \(Self.differences(encoded, in: document))")
            // Every field the reader declares is sent (the samples fill every optional field), so
            // a misspelt optional field cannot pass as one the publisher left out.
            #expect(Self.unsent(reading, in: document).isEmpty, "\(reader) reads fields not sent: \(Self.unsent(reading, in: document))")
        }
    }

    @Test func theComparisonFindsWhatDiffers() {
        #expect(Self.differences(["a": "x", "b": [1, 2]], in: ["a": "x", "b": [1, 2], "c": true]).isEmpty)
        #expect(Self.differences(["a": "x"], in: ["a": "y"]) == ["$.a reads x, sent y"])
        #expect(Self.differences(["a": 1], in: ["a": 2]).count == 1)
        #expect(Self.differences(["a": "x"], in: [:]) == ["$.a is not sent"])
        #expect(Self.differences(["a": [1]], in: ["a": [1, 2]]).count == 1)
        struct Reader {
            var present: String?
            var misspelt: String?
        }
        #expect(Self.unsent(Reader(present: "x", misspelt: nil), in: ["present": "x"]) == ["$.misspelt"])
        #expect(Self.unsent(Reader(present: "x", misspelt: nil), in: ["present": "x", "misspelt": NSNull()]).isEmpty)
    }

    @Test func everyServiceIsBoundToExactlyTheKeysTheTableGivesIt() throws {
        let definitions: [ServiceDefinition] = [.ordersService, .inventoryService, .deliveryService, .notificationService]
        for definition in definitions {
            let bindings = try #require(definition.queue).bindings
            #expect(Set(bindings) == Set(EventRoute.consumed(by: definition.service).map(\.routingKey)))
            #expect(!bindings.isEmpty, "\(definition.name) consumes something")
        }
    }

    @Test func eachPublisherDeclaresTheQueuesOfItsConsumers() {
        #expect(ServiceName.orderService.consumersQueues.map(\.queue) == ["inventory-service", "delivery-service", "notification-service"])
        #expect(ServiceName.inventoryService.consumersQueues.map(\.queue) == ["order-service"])
        #expect(ServiceName.deliveryService.consumersQueues.map(\.queue) == ["order-service", "notification-service"])
        #expect(ServiceName.notificationService.consumersQueues.isEmpty)
        for service in ServiceName.allCases {
            for topology in service.consumersQueues {
                let consumer = ServiceName.allCases.first { $0.queueName == topology.queue }
                #expect(consumer?.queue?.bindings == topology.bindings, "the consumer declares the same bindings")
            }
        }
    }

    @Test func aDispatchThatDoesNotMatchTheTableIsRefused() throws {
        #expect(throws: EventDispatch.Mismatch.self) {
            try EventDispatch(.inventoryService, [.orderConfirmed: { _ in }])
        }
        #expect(throws: EventDispatch.Mismatch.self) {
            try EventDispatch(.deliveryService, [.orderAllocated: { _ in }, .orderConfirmed: { _ in }])
        }
        #expect(
            try EventDispatch(
                .inventoryService,
                [
                    .orderConfirmed: { _ in }, .orderCancelled: { _ in }, .orderRefunded: { _ in }, .orderEdited: { _ in },
                    .orderLinesAdded: { _ in }, .sellerOrderDeliveredAfterCancel: { _ in },
                ]
            ).bindings == [
                "order.confirmed", "order.cancelled", "order.refunded", "order.edited", "order.lines_added",
                "seller_order.delivered_after_cancel",
            ]
        )
    }

    static func read<Event: IntegrationEvent>(_ reader: Event.Type, _ body: Data) throws -> any IntegrationEvent {
        try Event.decode(from: body)
    }

    /// The stored properties of `value` (recursively, by their names, which are the JSON keys)
    /// that `document` does not have at all (a key sent as null counts as sent).
    static func unsent(_ value: Any, in document: Any, at path: String = "$") -> [String] {
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .optional:
            return mirror.children.first.map { unsent($0.value, in: document, at: path) } ?? []
        case .struct:
            guard let object = document as? [String: Any] else { return ["\(path) is not an object"] }
            return mirror.children.flatMap { child -> [String] in
                guard let label = child.label else { return [] }
                guard let sent = object[label] else { return ["\(path).\(label)"] }
                return unsent(child.value, in: sent, at: "\(path).\(label)")
            }
        case .collection:
            guard let array = document as? [Any] else { return ["\(path) is not an array"] }
            return zip(mirror.children, array).enumerated().flatMap { unsent($1.0.value, in: $1.1, at: "\(path)[\($0)]") }
        default:
            return []
        }
    }

    /// Where `part` is not contained in `whole`: a key it has that `whole` lacks, or a value
    /// that differs.
    static func differences(_ part: Any, in whole: Any, at path: String = "$") -> [String] {
        switch (part, whole) {
        case (let part as [String: Any], let whole as [String: Any]):
            return part.flatMap { key, value in
                whole[key].map { differences(value, in: $0, at: "\(path).\(key)") } ?? ["\(path).\(key) is not sent"]
            }
        case (let part as [Any], let whole as [Any]):
            guard part.count == whole.count else { return ["\(path) has \(part.count) elements, not \(whole.count)"] }
            return zip(part, whole).enumerated().flatMap { differences($1.0, in: $1.1, at: "\(path)[\($0)]") }
        case (let part as String, let whole as String):
            return part == whole ? [] : ["\(path) reads \(part), sent \(whole)"]
        case (let part as NSObject, let whole as NSObject):
            return part == whole ? [] : ["\(path) reads \(part), sent \(whole)"]
        default:
            return ["\(path) is not comparable"]
        }
    }
}
