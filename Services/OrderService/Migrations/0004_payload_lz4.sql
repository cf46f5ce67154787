-- A 10 KB body is always moved out of line (TOAST); lz4 compresses it at a fraction of the
-- CPU of the default pglz, which is most of what an insert of a delivery costs the server.
-- A server built without lz4 keeps the default.
DO $$
BEGIN
    ALTER TABLE webhook_deliveries ALTER COLUMN payload SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    RAISE NOTICE 'lz4 not available; payloads stay pglz-compressed';
END
$$;
