-- The relay claims unpublished rows in id order (publication order). An index over exactly
-- those rows, in that order, keeps each claim a short index read however many published rows
-- wait for housekeeping.
DROP INDEX outbox_pending;
CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL;
