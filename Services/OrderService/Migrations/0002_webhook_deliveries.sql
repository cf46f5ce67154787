-- Every Shopify webhook delivery, stored exactly as received (the signed bytes) before it is
-- acknowledged. A retry of a delivery carries the same webhook id and finds its row.
CREATE TABLE webhook_deliveries (
    id              bigserial PRIMARY KEY,
    webhook_id      text NOT NULL UNIQUE,
    event_id        text NOT NULL,
    topic           text NOT NULL,
    shop_domain     text NOT NULL,
    triggered_at    text NOT NULL,
    api_version     text NOT NULL,
    payload_sha256  bytea NOT NULL,
    payload         bytea NOT NULL,
    received_at     timestamptz NOT NULL DEFAULT now(),
    status          text NOT NULL CHECK (status IN ('pending', 'processing', 'processed', 'failed', 'ignored')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    processed_at    timestamptz
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_status ON webhook_deliveries (status, id DESC);
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (shop_domain, event_id);
