-- Every outbox row is updated once (published): vacuum well before the default 20 % of a
-- table that only grows, so that the relay's walk of `outbox_unpublished` does not step over
-- thousands of dead entries on each pass.
ALTER TABLE outbox SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 1000,
                        autovacuum_analyze_scale_factor = 0.02);
