-- One allocation per order (OrderService's order id): what made stock fall, so that a
-- redelivered confirmation allocates nothing twice and a cancellation returns exactly it.
CREATE TABLE allocations (
    order_id          text PRIMARY KEY,
    shop_domain       text,
    shopify_order_id  text,
    -- allocated: stock taken; failed: nothing taken; released: taken, then returned;
    -- cancelled: the cancellation came first, so the confirmation must take nothing.
    status            text NOT NULL CHECK (status IN ('allocated', 'failed', 'released', 'cancelled')),
    reason            text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    released_at       timestamptz
);

CREATE TABLE allocation_lines (
    order_id      text NOT NULL REFERENCES allocations (order_id),
    line_item_id  text NOT NULL,
    sku           text NOT NULL,
    quantity      integer NOT NULL CHECK (quantity > 0),
    stock_id      bigint NOT NULL REFERENCES stock (id),
    vendor_id     text NOT NULL,
    hub_id        text,
    flow          text NOT NULL CHECK (flow IN ('HUB', 'NORMAL')),
    PRIMARY KEY (order_id, line_item_id)
);
CREATE INDEX allocation_lines_stock ON allocation_lines (stock_id);
