-- Import jobs get an owner (issue: several servers on one database): the
-- server instance that runs the job and the last time it said so. A
-- server fails only jobs whose heartbeat is old, so a second server
-- starting beside a running one leaves that one's imports alone, and a
-- crashed server's jobs are failed by the others' sweep. Existing jobs
-- count as last seen when they were last updated.

ALTER TABLE import_jobs ADD COLUMN owner TEXT NOT NULL DEFAULT '';
ALTER TABLE import_jobs ADD COLUMN heartbeat_at TIMESTAMPTZ;
UPDATE import_jobs SET heartbeat_at = updated_at;
ALTER TABLE import_jobs ALTER COLUMN heartbeat_at SET NOT NULL;
CREATE INDEX import_jobs_running ON import_jobs (heartbeat_at) WHERE status = 'running';
