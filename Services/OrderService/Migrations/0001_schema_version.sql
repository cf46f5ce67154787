-- OrderService's own tables arrive with its features; this first migration records that the
-- schema "orders" is managed by the migration runner.
COMMENT ON SCHEMA orders IS 'Owned by OrderService; changed only through its migrations.';
