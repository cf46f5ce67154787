-- Payments that change after the split (paid online later, refunded) and refunds.
--
-- advance_amount: what had been paid online when the order was split (the part no courier
-- collects), less what was refunded since; it used to be derived from the seller orders'
-- amounts to collect, which now change with the payment.
-- refunded_amount: the money given back (the refunds below), kept apart from what was paid.
ALTER TABLE payments ADD COLUMN advance_amount numeric(20, 4) NOT NULL DEFAULT 0 CHECK (advance_amount >= 0);
ALTER TABLE payments ADD COLUMN refunded_amount numeric(20, 4) NOT NULL DEFAULT 0 CHECK (refunded_amount >= 0);
ALTER TABLE payments DROP CONSTRAINT payments_status_check;
ALTER TABLE payments ADD CONSTRAINT payments_status_check
    CHECK (status IN ('paid', 'unpaid', 'partially_paid', 'refunded', 'partially_refunded'));

UPDATE payments p SET advance_amount = greatest(0, p.total_amount - s.collects)
FROM (SELECT order_id, sum(collect_amount) AS collects FROM seller_orders GROUP BY order_id) s
WHERE s.order_id = p.order_id;

-- Each change of a seller order's amount to collect counts up, so that DeliveryService
-- applies the changes in order whatever order it receives them in.
ALTER TABLE seller_orders ADD COLUMN collect_version integer NOT NULL DEFAULT 0;

-- One row per Shopify refund, whichever webhook brought it first (refunds/create, or the
-- `refunds` of an orders/updated): a refund is counted and restocked once.
CREATE TABLE refunds (
    id                 bigserial PRIMARY KEY,
    order_id           bigint NOT NULL REFERENCES orders (id),
    shopify_refund_id  bigint NOT NULL,
    amount             numeric(20, 4) NOT NULL CHECK (amount >= 0),
    created_at         timestamptz NOT NULL DEFAULT now(),
    UNIQUE (order_id, shopify_refund_id)
);

CREATE TABLE refund_line_items (
    refund_id             bigint NOT NULL REFERENCES refunds (id),
    shopify_line_item_id  bigint NOT NULL,
    quantity              integer NOT NULL CHECK (quantity > 0),
    restock_type          text
);
CREATE INDEX refund_line_items_refund ON refund_line_items (refund_id);
