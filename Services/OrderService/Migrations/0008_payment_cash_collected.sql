-- What couriers collected on delivery, as this service settled it. Shopify does not know it
-- (a COD order stays `pending` there until the merchant marks it paid), so an orders/updated
-- that arrives after delivery must not take it away: collected = what Shopify reports paid
-- + this, at most the total.
ALTER TABLE payments ADD COLUMN cash_collected numeric(20, 4) NOT NULL DEFAULT 0 CHECK (cash_collected >= 0);

UPDATE payments p SET cash_collected = d.collected
FROM (
    SELECT order_id, sum(collect_amount) AS collected FROM seller_orders WHERE status = 'delivered' GROUP BY order_id
) d
WHERE d.order_id = p.order_id;
