-- Order edits. current_quantity: a line's quantity as it stands (Shopify's current_quantity:
-- less what edits removed and refunds took back), what its seller order ships.
-- edit_released: the units of it an edit removed and this service gave back to stock (units
-- refunds take back are restocked by their own restock type, not here).
ALTER TABLE order_items ADD COLUMN current_quantity integer;
UPDATE order_items SET current_quantity = quantity;
ALTER TABLE order_items ALTER COLUMN current_quantity SET NOT NULL;
ALTER TABLE order_items ADD COLUMN edit_released integer NOT NULL DEFAULT 0;
ALTER TABLE order_items ADD CONSTRAINT order_items_edited
    CHECK (current_quantity BETWEEN 0 AND quantity AND edit_released BETWEEN 0 AND quantity);

-- Lines an edit added (or increased) are not allocated by this version: the order says so.
ALTER TABLE orders ADD COLUMN edit_notice text;
