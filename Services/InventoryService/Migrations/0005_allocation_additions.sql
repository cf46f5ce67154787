-- Lines an order edit added, allocated into the order's allocation once per edit revision
-- (OrderService's order.lines_added): a redelivered edit takes nothing twice.
CREATE TABLE allocation_additions (
    order_id    text NOT NULL REFERENCES allocations (order_id),
    revision    text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (order_id, revision)
);
