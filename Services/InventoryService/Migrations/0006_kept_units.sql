-- Units of an allocation line known to be with the customer although the order's
-- cancellation (or an edit) gave up their seller order: its courier had the parcel and
-- delivered it anyway (OrderService's seller_order.delivered_after_cancel). A cancellation, an
-- edit or a refund returns none of them; units already returned come off the shelf again.
ALTER TABLE allocation_lines ADD COLUMN kept_quantity integer NOT NULL DEFAULT 0;
-- Checked without holding a lock that blocks writers while the table is read.
ALTER TABLE allocation_lines ADD CONSTRAINT allocation_lines_kept CHECK (kept_quantity BETWEEN 0 AND quantity) NOT VALID;
ALTER TABLE allocation_lines VALIDATE CONSTRAINT allocation_lines_kept;

-- One row per line of each such seller order, once: `taken` units came off the shelf again,
-- and `shortfall` units could not (sold meanwhile: the stock count needs checking).
CREATE TABLE delivered_after_cancel (
    split_order_id  text NOT NULL,
    order_id        text NOT NULL REFERENCES allocations (order_id),
    line_item_id    text NOT NULL,
    kept            integer NOT NULL CHECK (kept >= 0),
    taken           integer NOT NULL CHECK (taken >= 0),
    shortfall       integer NOT NULL CHECK (shortfall >= 0),
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (split_order_id, line_item_id)
);
