-- Settlement of a delivered shipment: announced at once, or (with Shiprocket's tracking API
-- configured, for shipments with an amount to collect) once the API confirms the delivery.
ALTER TABLE deliveries
    ADD COLUMN settlement text NOT NULL DEFAULT 'none'
        CHECK (settlement IN ('none', 'awaiting_confirmation', 'announced', 'unconfirmed')),
    ADD COLUMN settlement_attempts integer NOT NULL DEFAULT 0,
    ADD COLUMN settlement_next_at timestamptz,
    ADD COLUMN settlement_error text;
CREATE INDEX deliveries_awaiting_confirmation ON deliveries (settlement_next_at) WHERE settlement = 'awaiting_confirmation';
