-- Lines without shipping (a tip, a gift card, a custom item without SKU) stay on the order and
-- in its totals but are not allocated, split or shipped.
ALTER TABLE order_items ADD COLUMN shipped boolean NOT NULL DEFAULT true;
