-- NotificationService's own tables arrive with its features; this first migration records that the
-- schema "notification" is managed by the migration runner.
COMMENT ON SCHEMA notification IS 'Owned by NotificationService; changed only through its migrations.';
