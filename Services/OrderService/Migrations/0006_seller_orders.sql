-- An allocated order split per seller: one seller order per vendor, with the items it ships
-- and the amount to collect on its delivery (its share of what the customer still owes).
ALTER TABLE orders ADD COLUMN allocation_failure text;

CREATE TABLE seller_orders (
    id              bigserial PRIMARY KEY,
    split_order_id  text NOT NULL UNIQUE,
    order_id        bigint NOT NULL REFERENCES orders (id),
    vendor_id       text NOT NULL,
    vendor_name     text NOT NULL,
    vendor_email    text NOT NULL,
    hub_id          text,
    flow            text NOT NULL CHECK (flow IN ('HUB', 'NORMAL')),
    status          text NOT NULL CHECK (status IN ('assigned', 'delivered', 'cancelled')),
    items_amount    numeric(20, 4) NOT NULL,
    collect_amount  numeric(20, 4) NOT NULL CHECK (collect_amount >= 0),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (order_id, vendor_id)
);

CREATE TABLE seller_order_items (
    seller_order_id  bigint NOT NULL REFERENCES seller_orders (id),
    order_item_id    bigint NOT NULL REFERENCES order_items (id),
    PRIMARY KEY (seller_order_id, order_item_id)
);
