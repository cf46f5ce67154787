-- A seller order's amount to collect changes after its delivery was created (the order was
-- paid online later, refunded or edited): collect_version is the newest change applied, so
-- an older one arriving late is not applied over it.
ALTER TABLE deliveries ADD COLUMN collect_version integer NOT NULL DEFAULT 0;

-- A change that arrived before its delivery was created here (its order.allocated came
-- later): the delivery is created with it.
CREATE TABLE delivery_collection_changes (
    split_order_id  text PRIMARY KEY,
    collect_amount  numeric(20, 4) NOT NULL CHECK (collect_amount >= 0),
    collect_version integer NOT NULL,
    received_at     timestamptz NOT NULL DEFAULT now()
);
