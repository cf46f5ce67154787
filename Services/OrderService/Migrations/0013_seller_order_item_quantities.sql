-- The units of each line a seller order's vendor was last told to ship: set at the split,
-- followed by edits while the seller order is on its way, and kept when it is cancelled. A
-- cancelled seller order whose parcel is delivered anyway shipped these, and InventoryService
-- takes them back off the shelf the cancellation returned them to.
--
-- Nullable, with no backfill, so that replicas of the previous version (which insert seller
-- orders without it) keep working during a rolling deploy; a null reads as the line's current
-- quantity. A later release may backfill it and make it NOT NULL.
ALTER TABLE seller_order_items ADD COLUMN quantity integer;
ALTER TABLE seller_order_items ADD CONSTRAINT seller_order_items_quantity CHECK (quantity >= 0);
