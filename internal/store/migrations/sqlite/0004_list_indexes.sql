-- Indexes measured in docs/benchmarks.md: a rep's own deals by close date,
-- and a stage's deals by amount, each served from an index in order
-- instead of sorting thousands of rows.
CREATE INDEX deals_owner_close ON deals (owner_id, (COALESCE(expected_close_date, '9999-12-31')), id) WHERE deleted_at IS NULL;
CREATE INDEX deals_stage_amount ON deals (stage, amount, id) WHERE deleted_at IS NULL;
