-- InventoryService's own tables arrive with its features; this first migration records that the
-- schema "inventory" is managed by the migration runner.
COMMENT ON SCHEMA inventory IS 'Owned by InventoryService; changed only through its migrations.';
