-- Units of an allocation line that came back on the shelf (a refund that restocks them, or
-- the order's cancellation): a line never returns more than it took, whatever the order of
-- refunds and cancellation.
ALTER TABLE allocation_lines ADD COLUMN returned_quantity integer NOT NULL DEFAULT 0;
ALTER TABLE allocation_lines ADD CONSTRAINT allocation_lines_returned CHECK (returned_quantity BETWEEN 0 AND quantity);

-- Lines a cancellation released before this column existed count as returned in full (also
-- the kept lines of delivered seller orders, which this service cannot tell apart: a later
-- refund that restocks such a line returns nothing, rather than perhaps returning twice).
UPDATE allocation_lines l SET returned_quantity = l.quantity
FROM allocations a
WHERE a.order_id = l.order_id AND a.status = 'released';

-- One row per Shopify refund handled (OrderService's order.refunded): a redelivered refund
-- restocks nothing twice.
CREATE TABLE restocks (
    order_id    text NOT NULL,
    refund_id   text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (order_id, refund_id)
);
