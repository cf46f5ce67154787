import Common
import Foundation
import Logging
import Metrics
import Postgres
import ServiceKit
import ServiceLifecycle

/// Processes stored Shopify deliveries, decoupled from the HTTP request.
///
/// A batch of due deliveries is claimed with `FOR UPDATE SKIP LOCKED` (so replicas and
/// workers never take the same one) and processed in one transaction (see `processBatch`):
/// each delivery's effects and its new status commit together, so a worker that dies
/// mid-batch leaves every delivery of the batch pending, to be processed once, later. A
/// delivery that fails is retried with exponential backoff; one that can never succeed, or
/// has failed `maxAttempts` times, is marked failed with its reason.
struct WebhookProcessor: Service {
    struct Settings: Sendable {
        /// Parallel loops, each with its own transaction; SKIP LOCKED keeps them apart.
        var workers = 4
        var batchSize = 20
        var pollInterval = Duration.milliseconds(50)
        var maxAttempts = 8
        /// 2 s, 4 s, 8 s, ... up to five minutes, each wait between half and all of that (so that
        /// deliveries that failed together do not retry together): Shopify's own retries are
        /// not needed meanwhile, the delivery is stored.
        var retry = RetryPolicy(base: .seconds(2), cap: .seconds(300))
    }

    let pool: PostgresPool
    let settings: Settings
    let logger: Logger
    let handler = OrderWebhookHandler()
    let refundHandler = RefundWebhookHandler()
    private let processed = Counter(label: "webhook_deliveries_processed_total")
    private let failed = Counter(label: "webhook_deliveries_failed_total")

    init(pool: PostgresPool, settings: Settings = .init(), logger: Logger) {
        self.pool = pool
        self.settings = settings
        self.logger = logger
    }

    func run() async throws {
        let poller = BatchPoller(
            batchSize: settings.batchSize,
            interval: settings.pollInterval,
            logger: logger,
            failure: "webhook processing pass failed"
        )
        await withDiscardingTaskGroup { group in
            for _ in 0..<max(1, settings.workers) {
                group.addTask { await poller.run { try await processBatch() } }
            }
        }
    }

    /// A claimed delivery, its payload read once.
    struct Claimed {
        var id: Int64
        var webhookId: String
        var topic: String
        var shopDomain: String
        var attempts: Int
        var payload: Result<Payload, any Error>

        /// Every processed topic carries an order, except refunds/create, which carries a refund.
        enum Payload {
            case order(ShopifyOrderWebhook)
            case refund(ShopifyRefund)

            var shopifyOrderId: Int64? {
                switch self {
                case .order(let order): order.id
                case .refund(let refund): refund.orderId
                }
            }
        }

        init(_ row: PostgresRow) throws {
            id = try row.decode("id")
            webhookId = try row.decode("webhook_id")
            topic = try row.decode("topic")
            shopDomain = try row.decode("shop_domain")
            attempts = try row.decode("attempts")
            let data: Data = try row.decode("payload")
            let isRefund = topic == ShopifyTopic.refundsCreate.rawValue
            payload = Result { isRefund ? .refund(try RefundWebhookHandler.parse(data)) : .order(try OrderWebhookHandler.parse(data)) }
        }

        /// The order the delivery is about, if its payload could be read.
        var orderKey: OrderRepository.OrderKey? {
            (try? payload.get())?.shopifyOrderId.map { OrderRepository.OrderKey(shopDomain: shopDomain, shopifyOrderId: $0) }
        }

        /// Batches take the orders they touch in this order, so concurrent batches wait for
        /// each other instead of deadlocking.
        static func lockOrder(_ a: Claimed, _ b: Claimed) -> Bool {
            let left = (try? a.payload.get())?.shopifyOrderId ?? .max
            let right = (try? b.payload.get())?.shopifyOrderId ?? .max
            return (a.shopDomain, left, a.id) < (b.shopDomain, right, b.id)
        }
    }

    /// Claims and processes one batch; returns how many deliveries it claimed.
    ///
    /// First without savepoints, every processed delivery marked in one statement at the end:
    /// a batch costs a few round trips per order instead of a dozen. If a delivery fails,
    /// that attempt is rolled back whole and the batch is processed again, each delivery
    /// under its own savepoint, so the failure is recorded and the others still commit.
    @discardableResult
    func processBatch() async throws -> Int {
        do {
            return try await claimAndProcess(careful: false)
        } catch is FailedInFastPass {
            return try await claimAndProcess(careful: true)
        }
    }

    /// A delivery failed while no savepoint protected the others: the pass is undone.
    private struct FailedInFastPass: Error {}

    private func claimAndProcess(careful: Bool) async throws -> Int {
        try await pool.withTransaction { tx in
            let rows = try await tx.query(
                """
                SELECT id, webhook_id, topic, shop_domain, payload, attempts
                FROM webhook_deliveries
                WHERE status = 'pending' AND next_attempt_at <= now()
                ORDER BY id
                LIMIT \(settings.batchSize)
                FOR UPDATE SKIP LOCKED
                """
            )
            let claimed = try rows.map(Claimed.init).sorted(by: Claimed.lockOrder)
            var done: [Int64] = []
            var events: [Outbox.Message] = []
            // The fast pass locks the batch's orders in one statement; then each delivery
            // knows its order's state, kept current as earlier deliveries change it.
            var known: [OrderRepository.OrderKey: OrderRepository.Stored?] = [:]
            if !careful {
                let keys = claimed.compactMap(\.orderKey)
                let locked = try await handler.orders.lockAll(keys, in: tx)
                for key in keys { known[key] = .some(locked[key]) }
            }
            for webhook in claimed {
                if careful {
                    try await process(webhook, in: tx)
                } else {
                    do {
                        let key = webhook.orderKey
                        let outcome = try await apply(webhook, lock: key.flatMap { known[$0] }.map { .alreadyLocked($0) } ?? .here, in: tx)
                        if let key { known[key] = .some(outcome.order) }
                        report(outcome, of: webhook)
                        events += outcome.events
                    } catch let error as PostgresError where error.isConnectionFailure {
                        throw error  // nothing can be recorded; the whole batch stays pending
                    } catch {
                        throw FailedInFastPass()
                    }
                    done.append(webhook.id)
                }
            }
            try await Outbox.enqueue(events, in: tx)
            if !done.isEmpty {
                _ = try await tx.query(
                    """
                    UPDATE webhook_deliveries
                    SET status = 'processed', attempts = attempts + 1, processed_at = now(), last_error = NULL
                    WHERE id = ANY(\(done)::bigint[])
                    """
                )
                processed.increment(by: done.count)
            }
            return rows.count
        }
    }

    private func apply(
        _ webhook: Claimed,
        lock: OrderWebhookHandler.Lock = .here,
        in tx: PostgresLease
    ) async throws
        -> OrderWebhookHandler.Outcome
    {
        guard let topic = ShopifyTopic(rawValue: webhook.topic) else {
            throw PermanentWebhookError("topic is not processed")
        }
        switch try webhook.payload.get() {
        case .order(let order):
            return try await handler.handle(topic: topic, shopDomain: webhook.shopDomain, order: order, traceparent: nil, lock: lock, in: tx)
        case .refund(let refund):
            return try await refundHandler.handle(shopDomain: webhook.shopDomain, refund: refund, traceparent: nil, lock: lock, in: tx)
        }
    }

    /// What an operator should hear of: lines an edit added, which are not allocated.
    private func report(_ outcome: OrderWebhookHandler.Outcome, of webhook: Claimed) {
        guard !outcome.unallocatedAdditions.isEmpty else { return }
        logger.notice(
            "an order edit added line items that are not allocated or shipped",
            metadata: [
                LogKey.webhookId: "\(webhook.webhookId)", LogKey.orderId: "\(outcome.order.map { String($0.id) } ?? "-")",
                LogKey.lineItems: "\(outcome.unallocatedAdditions.map(String.init).joined(separator: ","))",
            ]
        )
    }

    private func process(_ webhook: Claimed, in tx: PostgresLease) async throws {
        let id = webhook.id
        let attempts = webhook.attempts + 1
        var logger = self.logger
        logger[metadataKey: LogKey.webhookId] = "\(webhook.webhookId)"
        // A lost connection is thrown: nothing can be recorded, and the whole batch stays pending.
        let failure = try await tx.withSavepoint("webhook") {
            let outcome = try await apply(webhook, in: tx)
            try await Outbox.enqueue(outcome.events, in: tx)
            report(outcome, of: webhook)
        }
        guard let failure else {
            _ = try await tx.query(
                """
                UPDATE webhook_deliveries
                SET status = 'processed', attempts = \(attempts), processed_at = now(), last_error = NULL
                WHERE id = \(id)
                """
            )
            processed.increment()
            return
        }
        let outcome = settings.retry.after(
            failedAttempt: attempts,
            of: settings.maxAttempts,
            permanent: failure is PermanentWebhookError
        )
        let reason = String(String(describing: failure).prefix(1000))
        _ = try await tx.query(
            """
            UPDATE webhook_deliveries
            SET status = \(outcome.isFinal ? "failed" : "pending"), attempts = \(attempts), last_error = \(reason),
                next_attempt_at = now() + \(outcome.delay.seconds) * interval '1 second'
            WHERE id = \(id)
            """
        )
        failed.increment()
        logger.log(
            level: outcome.isFinal ? .error : .warning,
            outcome.isFinal ? "webhook delivery failed" : "webhook delivery will be retried",
            metadata: [LogKey.attempt: "\(attempts)", LogKey.error: "\(reason)"]
        )
    }
}
