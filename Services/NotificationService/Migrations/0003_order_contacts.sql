-- What this service learns from order.confirmed and needs for later events that do not carry
-- it (a delivery status change names only the order).
CREATE TABLE order_contacts (
    order_id          text PRIMARY KEY,
    shopify_order_id  text NOT NULL,
    order_name        text NOT NULL,
    customer_email    text,
    updated_at        timestamptz NOT NULL DEFAULT now()
);
