-- DeliveryService's own tables arrive with its features; this first migration records that the
-- schema "delivery" is managed by the migration runner.
COMMENT ON SCHEMA delivery IS 'Owned by DeliveryService; changed only through its migrations.';
