-- Workers claim pending deliveries in id order. An index over exactly those rows, in that
-- order, keeps each claim a short index read however many processed deliveries the table
-- holds (the planner otherwise walked the primary key past every processed row).
DROP INDEX webhook_deliveries_due;
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (id) WHERE status = 'pending';
-- Nothing looks deliveries up by event id; the index only cost every insert.
DROP INDEX webhook_deliveries_event;
