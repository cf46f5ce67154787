-- A seller order cancelled before its delivery was created here (its order.allocated came
-- later): the delivery is created cancelled instead of pending.
CREATE TABLE delivery_cancellations (
    split_order_id text PRIMARY KEY,
    requested_at   timestamptz NOT NULL DEFAULT now()
);
