-- Matching Shiprocket webhooks to deliveries that never strands one.
--
-- previous_awbs: the AWBs of earlier shipments of this seller order (a re-shipment after the
-- courier cancelled or lost one gets a new AWB); their late events are history only.
-- sr_order_id: Shiprocket's own order id for the seller order, from its webhooks; a tracking
-- API answer must name it.
-- cancelled_by_order: the shipment was called off because its seller order was cancelled
-- (not by the courier), so no re-shipment revives it.
ALTER TABLE deliveries ADD COLUMN previous_awbs text[] NOT NULL DEFAULT '{}';
ALTER TABLE deliveries ADD COLUMN sr_order_id text;
ALTER TABLE deliveries ADD COLUMN cancelled_by_order boolean NOT NULL DEFAULT false;
CREATE INDEX deliveries_previous_awbs ON deliveries USING gin (previous_awbs);

-- Cancelled without a courier event saying so: by the seller order's cancellation.
UPDATE deliveries d SET cancelled_by_order = true
WHERE d.status = 'cancelled' AND NOT EXISTS (
    SELECT 1 FROM shiprocket_webhooks w WHERE w.delivery_id = d.id AND w.state = 'applied' AND w.mapped_status = 'cancelled'
);

UPDATE deliveries d SET sr_order_id = w.sr_order_id
FROM (
    SELECT DISTINCT ON (delivery_id) delivery_id, sr_order_id FROM shiprocket_webhooks
    WHERE delivery_id IS NOT NULL AND sr_order_id IS NOT NULL ORDER BY delivery_id, id DESC
) w
WHERE w.delivery_id = d.id;
