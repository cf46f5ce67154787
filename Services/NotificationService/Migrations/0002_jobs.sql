-- The notification job queue. One job per (event, channel, recipient), enforced by the
-- unique key: a redelivered event creates nothing new.
CREATE TABLE jobs (
    id                bigserial PRIMARY KEY,
    event_id          text NOT NULL,
    channel           text NOT NULL CHECK (channel IN ('email', 'push')),
    recipient         text NOT NULL,
    template          text NOT NULL,
    -- What to send, rendered when the job was created: subject/text/html or title/body/data.
    message           jsonb NOT NULL,
    shopify_order_id  text,
    state             text NOT NULL DEFAULT 'PENDING'
                      CHECK (state IN ('PENDING', 'PROCESSING', 'COMPLETED', 'FAILED')),
    attempts          integer NOT NULL DEFAULT 0,
    max_attempts      integer NOT NULL DEFAULT 8,
    next_attempt_at   timestamptz NOT NULL DEFAULT now(),
    -- A worker's claim: its token and how long it holds the job. A job whose lease ran out
    -- is taken back; only the current token can complete or fail it (fencing).
    lease_token       uuid,
    lease_until       timestamptz,
    last_error        text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    completed_at      timestamptz,
    CONSTRAINT jobs_once UNIQUE (event_id, channel, recipient)
);
CREATE INDEX jobs_due ON jobs (next_attempt_at) WHERE state = 'PENDING';
CREATE INDEX jobs_leased ON jobs (lease_until) WHERE state = 'PROCESSING';
CREATE INDEX jobs_order ON jobs (shopify_order_id, id);

-- Push tokens registered with PUT /devices, for a vendor or a customer.
CREATE TABLE devices (
    token       text PRIMARY KEY,
    owner_kind  text NOT NULL CHECK (owner_kind IN ('vendor', 'customer')),
    owner_id    text NOT NULL,
    platform    text NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX devices_owner ON devices (owner_kind, owner_id);
