-- No consumer records message ids: each one's effect is idempotent by the fact it records
-- (one allocation per order, one job per event and channel and recipient, a seller order
-- settled only from assigned). The inbox table of 0001 was never written.
DROP TABLE IF EXISTS inbox;
