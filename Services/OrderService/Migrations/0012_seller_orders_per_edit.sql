-- Lines an edit adds are shipped in seller orders of their own (numbered on from the order's
-- others), so a vendor may now have several seller orders in one order.
ALTER TABLE seller_orders DROP CONSTRAINT IF EXISTS seller_orders_order_id_vendor_id_key;
CREATE INDEX IF NOT EXISTS seller_orders_order ON seller_orders (order_id);

-- The edit revision that added a line (null for the order's own lines): the order's split
-- takes its own lines, each edit's allocation the lines it added.
ALTER TABLE order_items ADD COLUMN added_revision text;
-- InventoryService refused the lines of that edit: they do not hold the order open.
ALTER TABLE order_items ADD COLUMN allocation_refused boolean NOT NULL DEFAULT false;
