-- One delivery per seller order (created from OrderService's order.allocated), and every
-- Shiprocket webhook received, raw, with what was read from it.
CREATE TABLE deliveries (
    id                bigserial PRIMARY KEY,
    split_order_id    text NOT NULL UNIQUE,
    order_id          text NOT NULL,
    shopify_order_id  text NOT NULL,
    shop_domain       text NOT NULL,
    vendor_id         text NOT NULL,
    hub_id            text,
    payment_method    text NOT NULL,
    collect_amount    numeric(20, 4) NOT NULL,
    currency          text NOT NULL,
    awb               text UNIQUE,
    status            text NOT NULL,
    -- Shiprocket's time of the event that set `status`, to order events of equal rank.
    status_at         timestamptz,
    delivered_at      timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE shiprocket_webhooks (
    id                  bigserial PRIMARY KEY,
    -- awb (else Shiprocket's order id) + status id + Shiprocket's timestamp: a repeated
    -- webhook is stored once.
    dedup_key           text NOT NULL UNIQUE,
    awb                 text,
    channel_order_id    text,
    sr_order_id         text,
    shipment_status_id  integer,
    shipment_status     text,
    event_at            timestamptz,
    event_time_text     text,
    -- The internal status the code maps to; null for a code the mapping does not know.
    mapped_status       text,
    payload             bytea NOT NULL,
    received_at         timestamptz NOT NULL DEFAULT now(),
    -- pending: not looked at yet; applied: moved its delivery; history: matched, kept in
    -- the history only (late, repeated or unknown code); unmatched: no delivery yet (looked
    -- at again when one is created); failed: processing kept failing (see last_error).
    state               text NOT NULL DEFAULT 'pending'
                        CHECK (state IN ('pending', 'applied', 'history', 'unmatched', 'failed')),
    delivery_id         bigint REFERENCES deliveries (id),
    attempts            integer NOT NULL DEFAULT 0,
    next_attempt_at     timestamptz NOT NULL DEFAULT now(),
    last_error          text,
    processed_at        timestamptz
);
CREATE INDEX shiprocket_webhooks_pending ON shiprocket_webhooks (id) WHERE state = 'pending';
CREATE INDEX shiprocket_webhooks_unmatched_awb ON shiprocket_webhooks (awb) WHERE state = 'unmatched';
CREATE INDEX shiprocket_webhooks_unmatched_order ON shiprocket_webhooks (channel_order_id) WHERE state = 'unmatched';
CREATE INDEX shiprocket_webhooks_delivery ON shiprocket_webhooks (delivery_id, id);
