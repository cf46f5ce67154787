import Common
import Foundation

/// Which notifications an event causes, to whom, rendered from the templates: pure, so the
/// rules are tested without I/O. The event id is the business fact ("order 42 confirmed"),
/// not the message id, so a republished event finds its jobs already there.
struct NotificationPlanner: Sendable {
    var templates: @Sendable (String) throws -> Template = { try Template.cached($0) }

    /// A contact learned from `order.confirmed`, for later events that do not carry one.
    struct Contact: Sendable, Equatable {
        var orderName: String
        var customerEmail: String?
    }

    func confirmed(_ order: OrderConfirmed) throws -> [NewJob] {
        guard let address = EmailAddress.normalized(order.customer.email) else { return [] }
        return [
            try email(
                "order-confirmed",
                event: "order.confirmed:\(order.orderId)",
                to: address,
                order: order.shopifyOrderId,
                values: [
                    "customerName": order.customer.displayName, "orderName": order.name ?? "#\(order.shopifyOrderId)",
                    "totalAmount": order.payment.totalAmount, "currency": order.currency,
                    "paymentMethod": Self.paymentText(order.payment.method),
                ]
            )
        ]
    }

    func delivered(_ order: OrderDelivered) throws -> [NewJob] {
        guard let address = EmailAddress.normalized(order.customer.email) else { return [] }
        return [
            try email(
                "order-delivered",
                event: "order.delivered:\(order.orderId)",
                to: address,
                order: order.shopifyOrderId,
                values: [
                    "customerName": order.customer.displayName, "orderName": order.name ?? "#\(order.shopifyOrderId)",
                    "totalAmount": order.payment.totalAmount, "currency": order.currency ?? "",
                ]
            )
        ]
    }

    /// The customer learns at once that the order cannot be fulfilled (nothing was reserved,
    /// nothing will be shipped), rather than waiting for a delivery that never comes.
    func unfulfillable(_ order: OrderAllocationFailed) throws -> [NewJob] {
        guard let address = EmailAddress.normalized(order.customerEmail) else { return [] }
        return [
            try email(
                "order-not-fulfilled",
                event: "order.allocation_failed:\(order.orderId)",
                to: address,
                order: order.shopifyOrderId,
                values: ["orderName": order.name ?? "#\(order.shopifyOrderId)"]
            )
        ]
    }

    /// Each vendor: an email, and a push message to each of its registered devices.
    func allocated(_ order: OrderAllocated, vendorDevices: [String: [String]]) throws -> [NewJob] {
        var jobs: [NewJob] = []
        for seller in order.sellerOrders {
            let event = "order.allocated:\(seller.splitOrderId)"
            let values = [
                "vendorName": seller.vendorName, "splitOrderId": seller.splitOrderId,
                "orderName": order.name ?? "#\(order.shopifyOrderId)",
                "items": seller.items.map { "\($0.quantity) × \($0.sku)\($0.title.map { " (\($0))" } ?? "")" }.joined(separator: "\n"),
                "itemCount": String(seller.items.reduce(0) { $0 + $1.quantity }),
                "flow": seller.flow, "hubLine": seller.hubId.map { " from hub \($0)" } ?? "",
                "collectAmount": seller.collectAmount, "currency": order.currency,
            ]
            if let address = EmailAddress.normalized(seller.vendorEmail) {
                jobs.append(try email("seller-order-assigned", event: event, to: address, order: order.shopifyOrderId, values: values))
            }
            for token in vendorDevices[seller.vendorId] ?? [] {
                jobs.append(
                    try push(
                        "seller-order-assigned",
                        event: event,
                        to: token,
                        order: order.shopifyOrderId,
                        values: values,
                        data: ["splitOrderId": seller.splitOrderId]
                    )
                )
            }
        }
        return jobs
    }

    /// The vendor of a cancelled seller order: an email, and a push message to each of its
    /// registered devices, so that nothing is shipped.
    func sellerOrderCancelled(_ cancelled: SellerOrderCancelled, vendorDevices: [String: [String]]) throws -> [NewJob] {
        try vendorJobs(
            "seller-order-cancelled",
            event: "seller_order.cancelled:\(cancelled.splitOrderId)",
            vendor: (cancelled.vendorId, cancelled.vendorEmail),
            order: cancelled.shopifyOrderId,
            values: [
                "vendorName": cancelled.vendorName, "splitOrderId": cancelled.splitOrderId,
                "orderName": cancelled.name ?? "#\(cancelled.shopifyOrderId)",
            ],
            data: ["splitOrderId": cancelled.splitOrderId, "status": "cancelled"],
            devices: vendorDevices
        )
    }

    /// The vendor of a seller order whose amount to collect changed: an email, and a push
    /// message to each of its devices. One notification per change (its version).
    func collectionChanged(_ changed: SellerOrderCollectionChanged, vendorDevices: [String: [String]]) throws -> [NewJob] {
        try vendorJobs(
            "seller-order-collection-changed",
            event: "seller_order.collection_changed:\(changed.splitOrderId):\(changed.version)",
            vendor: (changed.vendorId, changed.vendorEmail),
            order: changed.shopifyOrderId,
            values: [
                "vendorName": changed.vendorName, "splitOrderId": changed.splitOrderId,
                "orderName": changed.name ?? "#\(changed.shopifyOrderId)", "currency": changed.currency,
                "previousCollectAmount": changed.previousCollectAmount, "collectAmount": changed.collectAmount,
            ],
            data: ["splitOrderId": changed.splitOrderId, "collectAmount": changed.collectAmount],
            devices: vendorDevices
        )
    }

    /// The vendor of a seller order an edit changed: what to ship now, by email and on each
    /// device. One notification per edit (its revision).
    func sellerOrderChanged(_ changed: SellerOrderChanged, vendorDevices: [String: [String]]) throws -> [NewJob] {
        try vendorJobs(
            "seller-order-changed",
            event: "seller_order.changed:\(changed.splitOrderId):\(changed.revision)",
            vendor: (changed.vendorId, changed.vendorEmail),
            order: changed.shopifyOrderId,
            values: [
                "vendorName": changed.vendorName, "splitOrderId": changed.splitOrderId,
                "orderName": changed.name ?? "#\(changed.shopifyOrderId)",
                "items": changed.items.map { "\($0.quantity) × \($0.sku)\($0.title.map { " (\($0))" } ?? "")" }.joined(separator: "\n"),
                "itemCount": String(changed.items.reduce(0) { $0 + $1.quantity }),
            ],
            data: ["splitOrderId": changed.splitOrderId, "status": "changed"],
            devices: vendorDevices
        )
    }

    /// A vendor's email (when its address is usable) and a push message to each of its devices.
    private func vendorJobs(
        _ template: String,
        event: String,
        vendor: (id: String, email: String),
        order: String,
        values: [String: String],
        data: [String: String],
        devices: [String: [String]]
    ) throws -> [NewJob] {
        var jobs: [NewJob] = []
        if let address = EmailAddress.normalized(vendor.email) {
            jobs.append(try email(template, event: event, to: address, order: order, values: values))
        }
        for token in devices[vendor.id] ?? [] {
            jobs.append(try push(template, event: event, to: token, order: order, values: values, data: data))
        }
        return jobs
    }

    /// A push message to each of the customer's devices.
    func statusChanged(_ change: DeliveryStatusChanged, contact: Contact, customerDevices: [String]) throws -> [NewJob] {
        let values = [
            "splitOrderId": change.splitOrderId, "orderName": contact.orderName, "statusText": Self.statusText(change.status),
        ]
        return try customerDevices.map {
            try push(
                "delivery-status",
                event: "delivery.status_changed:\(change.splitOrderId):\(change.status)",
                to: $0,
                order: change.shopifyOrderId,
                values: values,
                data: ["splitOrderId": change.splitOrderId, "status": change.status]
            )
        }
    }

    private func email(_ name: String, event: String, to recipient: String, order: String, values: [String: String]) throws -> NewJob {
        var message = try templates("\(name).email").render(values)
        message["to"] = recipient
        return NewJob(eventId: event, channel: .email, recipient: recipient, template: name, message: message, shopifyOrderId: order)
    }

    private func push(
        _ name: String,
        event: String,
        to token: String,
        order: String,
        values: [String: String],
        data: [String: String]
    ) throws -> NewJob {
        var message = try templates("\(name).push").render(values)
        message["token"] = token
        for (key, value) in data { message["data.\(key)"] = value }
        return NewJob(eventId: event, channel: .push, recipient: token, template: name, message: message, shopifyOrderId: order)
    }

    static func paymentText(_ method: String) -> String {
        switch method {
        case "cod": "cash on delivery"
        case "partial": "partly paid, the rest on delivery"
        default: "paid"
        }
    }

    static func statusText(_ status: String) -> String {
        status.replacingOccurrences(of: "_", with: " ").replacingOccurrences(of: "rto", with: "return to origin")
    }
}
