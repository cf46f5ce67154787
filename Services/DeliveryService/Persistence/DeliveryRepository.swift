import Foundation
import Postgres
import ServiceKit

/// Deliveries and the Shiprocket webhooks received for them, in the `delivery` schema.
struct DeliveryRepository: Sendable {
    struct Delivery: Sendable {
        var id: Int64
        var splitOrderId: String
        var orderId: String
        var shopifyOrderId: String
        var shopDomain: String
        var awb: String?
        var status: DeliveryStatus
        var statusAt: Date?
        var collectAmount: Decimal
        var currency: String
        /// Shiprocket's own order id for the seller order, once a webhook named it.
        var srOrderId: String?
        var cancelledByOrder: Bool

        init(_ row: PostgresRow) throws {
            id = try row.decode("id")
            splitOrderId = try row.decode("split_order_id")
            orderId = try row.decode("order_id")
            shopifyOrderId = try row.decode("shopify_order_id")
            shopDomain = try row.decode("shop_domain")
            awb = try row.decode("awb")
            let status: String = try row.decode("status")
            self.status = DeliveryStatus(rawValue: status) ?? .pending
            statusAt = try row.decode("status_at")
            collectAmount = try row.decode("collect_amount")
            currency = try row.decode("currency")
            srOrderId = try row.decode("sr_order_id")
            cancelledByOrder = try row.decode("cancelled_by_order")
        }
    }

    /// One delivery per seller order of `orders`, in one statement (a redelivered event
    /// creates nothing new); one whose seller order was cancelled before is created cancelled,
    /// one whose amount to collect changed before is created with the newest amount.
    /// Webhooks that arrived for these seller orders before they existed are queued again.
    func create(_ orders: [OrderAllocated], in tx: PostgresLease) async throws -> Int {
        let rows = orders.flatMap { order in order.sellerOrders.map { NewDelivery(order: order, seller: $0) } }
        guard !rows.isEmpty else { return 0 }
        try await lockSellerOrders(rows.map(\.split_order_id), in: tx)
        let created = try await tx.query(
            """
            INSERT INTO deliveries (split_order_id, order_id, shopify_order_id, shop_domain, vendor_id, hub_id,
                                    payment_method, collect_amount, collect_version, currency, status, cancelled_by_order)
            SELECT d.split_order_id, order_id, shopify_order_id, shop_domain, vendor_id, hub_id,
                   payment_method, coalesce(changed.collect_amount, d.collect_amount), coalesce(changed.collect_version, 0), currency,
                   CASE WHEN cancelled.split_order_id IS NULL THEN 'pending' ELSE 'cancelled' END,
                   cancelled.split_order_id IS NOT NULL
            FROM jsonb_to_recordset(\(String(decoding: try JSONEncoder().encode(rows), as: UTF8.self))::jsonb)
                AS d (split_order_id text, order_id text, shopify_order_id text, shop_domain text, vendor_id text,
                      hub_id text, payment_method text, collect_amount numeric, currency text)
            LEFT JOIN delivery_collection_changes changed ON changed.split_order_id = d.split_order_id
            LEFT JOIN delivery_cancellations cancelled ON cancelled.split_order_id = d.split_order_id
            ON CONFLICT (split_order_id) DO NOTHING
            """
        ).affectedRows
        _ = try await tx.query(
            """
            UPDATE shiprocket_webhooks SET state = 'pending', next_attempt_at = now()
            WHERE state = 'unmatched' AND channel_order_id = ANY(\(rows.map(\.split_order_id))::text[])
            """
        )
        return created
    }

    /// Serialises, per seller order, the creation of its delivery with its cancellation: each
    /// then sees what the other committed (under READ COMMITTED neither sees the other's
    /// uncommitted row). Taken in the order of the lock keys, so batches cannot deadlock.
    func lockSellerOrders(_ splitOrderIds: [String], in tx: PostgresLease) async throws {
        _ = try await tx.query(
            """
            SELECT pg_advisory_xact_lock(4207, hashtext(s)) FROM unnest(\(splitOrderIds)::text[]) AS s ORDER BY hashtext(s)
            """
        )
    }

    /// Records that a seller order was cancelled before its delivery exists.
    func recordCancellation(splitOrderId: String, in tx: PostgresLease) async throws {
        _ = try await tx.query(
            "INSERT INTO delivery_cancellations (split_order_id) VALUES (\(splitOrderId)) ON CONFLICT DO NOTHING"
        )
    }

    /// Records a changed amount to collect for a seller order whose delivery does not exist
    /// yet; the newest version wins.
    func recordCollectionChange(splitOrderId: String, amount: Decimal, version: Int, in tx: PostgresLease) async throws {
        _ = try await tx.query(
            """
            INSERT INTO delivery_collection_changes (split_order_id, collect_amount, collect_version)
            VALUES (\(splitOrderId), \(amount), \(version))
            ON CONFLICT (split_order_id) DO UPDATE SET collect_amount = EXCLUDED.collect_amount,
                collect_version = EXCLUDED.collect_version, received_at = now()
            WHERE delivery_collection_changes.collect_version < EXCLUDED.collect_version
            """
        )
    }

    /// Sets the delivery's amount to collect if `version` is newer than the one it has;
    /// false if it is not.
    func changeCollection(deliveryId: Int64, amount: Decimal, version: Int, in tx: PostgresLease) async throws -> Bool {
        try await tx.query(
            """
            UPDATE deliveries SET collect_amount = \(amount), collect_version = \(version), updated_at = now()
            WHERE id = \(deliveryId) AND collect_version < \(version)
            """
        ).affectedRows == 1
    }

    /// One seller order's delivery as the insert reads it; the amount as a string, so it stays exact.
    private struct NewDelivery: Encodable {
        var split_order_id: String
        var order_id: String
        var shopify_order_id: String
        var shop_domain: String
        var vendor_id: String
        var hub_id: String?
        var payment_method: String
        var collect_amount: String
        var currency: String

        init(order: OrderAllocated, seller: OrderAllocated.SellerOrder) {
            split_order_id = seller.splitOrderId
            order_id = order.orderId
            shopify_order_id = order.shopifyOrderId
            shop_domain = order.shopDomain
            vendor_id = seller.vendorId
            hub_id = seller.hubId
            payment_method = order.payment.method
            collect_amount = "\(Money.parse(seller.collectAmount) ?? 0)"
            currency = order.currency
        }
    }

    /// The delivery of a seller order, locked; nil if it does not exist (yet).
    func lock(splitOrderId: String, in tx: PostgresLease) async throws -> Delivery? {
        try await tx.query("SELECT * FROM deliveries WHERE split_order_id = \(splitOrderId) FOR UPDATE").first.map(Delivery.init)
    }

    /// The delivery a webhook is about, locked: by its AWB, else by an earlier AWB of it
    /// (`isReplacedAWB`), else by the channel order id (our split order id).
    func match(awb: String?, channelOrderId: String?, in tx: PostgresLease) async throws -> (delivery: Delivery, isReplacedAWB: Bool)? {
        if let awb {
            if let row = try await tx.query("SELECT * FROM deliveries WHERE awb = \(awb) FOR UPDATE").first {
                return (try Delivery(row), false)
            }
            if let row = try await tx.query("SELECT * FROM deliveries WHERE previous_awbs @> ARRAY[\(awb)] FOR UPDATE").first {
                return (try Delivery(row), true)
            }
        }
        guard let channelOrderId, let delivery = try await lock(splitOrderId: channelOrderId, in: tx) else { return nil }
        return (delivery, false)
    }

    /// Serialises the matching of a webhook with what makes it matchable: the creation of its
    /// seller order's delivery (the seller order's lock, also taken by `create`) and the
    /// recording of its AWB by another webhook (the AWB's lock). Under READ COMMITTED each then
    /// sees what the other committed, so neither leaves the webhook unmatched for good. The
    /// seller order's lock is taken first, as everywhere.
    func lockMatching(splitOrderId: String?, awb: String?, in tx: PostgresLease) async throws {
        if let splitOrderId { try await lockSellerOrders([splitOrderId], in: tx) }
        if let awb { _ = try await tx.query("SELECT pg_advisory_xact_lock(4208, hashtext(\(awb)))") }
    }

    /// Records the AWB Shiprocket assigned, unless the delivery has one or another has this
    /// one; webhooks kept unmatched under this AWB are then queued again. True if recorded.
    @discardableResult
    func recordAWB(_ awb: String, deliveryId: Int64, in tx: PostgresLease) async throws -> Bool {
        let recorded =
            try await tx.query(
                """
                UPDATE deliveries SET awb = \(awb), updated_at = now()
                WHERE id = \(deliveryId) AND awb IS NULL AND NOT EXISTS (SELECT 1 FROM deliveries WHERE awb = \(awb))
                """
            ).affectedRows == 1
        if recorded { try await requeueUnmatched(awb: awb, in: tx) }
        return recorded
    }

    /// A re-shipment under a new AWB: the old one joins `previous_awbs` and the delivery starts
    /// again from pending (its settlement was never announced: it was not delivered), with
    /// the Shiprocket order id of the new shipment's webhook, if it names one.
    func reship(deliveryId: Int64, awb: String, srOrderId: String?, in tx: PostgresLease) async throws {
        _ = try await tx.query(
            """
            UPDATE deliveries
            SET previous_awbs = previous_awbs || awb, awb = \(awb), status = 'pending', status_at = NULL,
                sr_order_id = \(srOrderId), updated_at = now()
            WHERE id = \(deliveryId)
            """
        )
        try await requeueUnmatched(awb: awb, in: tx)
    }

    func recordShiprocketOrderId(_ srOrderId: String, deliveryId: Int64, in tx: PostgresLease) async throws {
        _ = try await tx.query(
            "UPDATE deliveries SET sr_order_id = \(srOrderId), updated_at = now() WHERE id = \(deliveryId) AND sr_order_id IS NULL"
        )
    }

    private func requeueUnmatched(awb: String, in tx: PostgresLease) async throws {
        _ = try await tx.query(
            "UPDATE shiprocket_webhooks SET state = 'pending', next_attempt_at = now() WHERE state = 'unmatched' AND awb = \(awb)"
        )
    }

    /// Calls the shipment off because its seller order was cancelled.
    func cancelForOrder(deliveryId: Int64, in tx: PostgresLease) async throws {
        try await setStatus(.cancelled, at: nil, deliveryId: deliveryId, in: tx)
        try await markCancelledByOrder(deliveryId: deliveryId, in: tx)
    }

    /// Its seller order was cancelled: whatever the courier does with the parcel now, no
    /// re-shipment revives it.
    func markCancelledByOrder(deliveryId: Int64, in tx: PostgresLease) async throws {
        _ = try await tx.query("UPDATE deliveries SET cancelled_by_order = true, updated_at = now() WHERE id = \(deliveryId)")
    }

    func setStatus(_ status: DeliveryStatus, at eventAt: Date?, deliveryId: Int64, in tx: PostgresLease) async throws {
        _ = try await tx.query(
            """
            UPDATE deliveries
            SET status = \(status.rawValue), status_at = coalesce(\(eventAt), now()), updated_at = now(),
                delivered_at = CASE WHEN \(status.rawValue) = 'delivered' THEN now() ELSE delivered_at END
            WHERE id = \(deliveryId)
            """
        )
    }

    /// Deliveries by split order id or AWB, each with its history in arrival order.
    func list(splitOrderId: String?, awb: String?) async throws -> [DeliveryView] {
        let rows = try await pool.query(
            """
            SELECT d.*, w.received_at, w.shipment_status_id, w.shipment_status, w.event_time_text, w.mapped_status,
                   w.state AS outcome
            FROM deliveries d
            LEFT JOIN shiprocket_webhooks w ON w.delivery_id = d.id
            WHERE (\(splitOrderId)::text IS NULL OR d.split_order_id = \(splitOrderId))
              AND (\(awb)::text IS NULL OR d.awb = \(awb))
            ORDER BY d.id, w.id
            """
        )
        var views: [DeliveryView] = []
        var current: Int64?
        for row in rows {
            let id: Int64 = try row.decode("id")
            if id != current {
                current = id
                views.append(
                    DeliveryView(
                        splitOrderId: try row.decode("split_order_id"),
                        orderId: try row.decode("order_id"),
                        shopifyOrderId: try row.decode("shopify_order_id"),
                        vendorId: try row.decode("vendor_id"),
                        awb: try row.decode("awb"),
                        status: try row.decode("status"),
                        paymentMethod: try row.decode("payment_method"),
                        collectAmount: Money.format(try row.decode("collect_amount")),
                        deliveredAt: try row.decode("delivered_at"),
                        settlement: try row.decode("settlement"),
                        history: []
                    )
                )
            }
            if let receivedAt = try row.decode("received_at", as: Date?.self) {
                views[views.count - 1].history.append(
                    .init(
                        receivedAt: receivedAt,
                        shipmentStatusId: try row.decode("shipment_status_id"),
                        shipmentStatus: try row.decode("shipment_status"),
                        timestamp: try row.decode("event_time_text"),
                        mappedStatus: try row.decode("mapped_status"),
                        outcome: try row.decode("outcome")
                    )
                )
            }
        }
        return views
    }

    let pool: PostgresPool
}
