/// Every logging metadata key, one spelling each (`<thing>.<attribute>`, snake_case), so that a
/// log search for one order or one message finds every line about it, whichever module wrote
/// it. Values are ids, counts and short reasons: never secrets or whole payloads.
public enum LogKey {
    public static let service = "service"
    public static let error = "error"
    public static let reason = "reason"
    public static let attempt = "attempt"
    public static let status = "status"
    public static let statusFrom = "status.from"
    public static let statusTo = "status.to"
    public static let url = "url"

    public static let orderId = "order.id"
    public static let lineItems = "order.line_items"
    public static let sellerOrderId = "seller_order.id"
    public static let shopDomain = "shop.domain"
    public static let paymentCollected = "payment.collected"

    public static let webhookId = "webhook.id"
    public static let webhookTopic = "webhook.topic"
    public static let shiprocketWebhookId = "shiprocket.webhook_id"
    public static let shiprocketOrderId = "shiprocket.order_id"
    public static let shiprocketStatus = "shiprocket.status"
    public static let shiprocketStatusId = "shiprocket.status_id"
    public static let shipmentAWB = "shipment.awb"

    public static let jobId = "job.id"
    public static let jobChannel = "job.channel"

    public static let amqpMessageId = "amqp.message_id"
    public static let amqpQueue = "amqp.queue"
    public static let amqpRoutingKey = "amqp.routing_key"
    public static let amqpWorker = "amqp.worker"
    public static let amqpBindings = "amqp.bindings"

    public static let sqlState = "sql.state"
    public static let migration = "migration"

    /// Counts of what one log line is about.
    public static let created = "created"
    public static let messages = "messages"
    public static let orders = "orders"
    public static let rows = "rows"
    public static let jobs = "jobs"
    public static let sellerOrders = "seller_orders"
    public static let hubs = "hubs"
    public static let vendors = "vendors"
    public static let products = "products"
    public static let offers = "offers"
    public static let stock = "stock"
    /// Units put back on the shelf.
    public static let units = "stock.units"
    /// Units taken back off the shelf, and units that were no longer there to take.
    public static let taken = "stock.taken"
    public static let shortfall = "stock.shortfall"
}
