-- A claim reads due jobs of one channel in the order it sends them and stops at its batch:
-- these indexes give that order directly, so a claim costs the same with a backlog of ten
-- jobs or of ten thousand (the old ones made PostgreSQL gather and sort every due job, and
-- every not yet vacuumed version of one, on each claim).
DROP INDEX jobs_due;
DROP INDEX jobs_leased;
CREATE INDEX jobs_due ON jobs (channel, next_attempt_at, id) WHERE state = 'PENDING';
CREATE INDEX jobs_leased ON jobs (channel, lease_until, id) WHERE state = 'PROCESSING';

-- Every job is updated twice (claimed, then completed): vacuum well before the default
-- 20 % of a table that only grows, so the indexes above do not fill with dead entries.
ALTER TABLE jobs SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 1000,
                      autovacuum_analyze_scale_factor = 0.02);
