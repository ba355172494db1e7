-- Reports (issue 6): managers' forecast adjustments, and indexes that let
-- the pipeline and forecast queries read one covering index instead of
-- the deals table (docs/benchmarks.md, "Reports").

-- A manager's own figure for an owner and a period (YYYY-MM or YYYY-Qn).
-- Rows are never updated: the newest per owner and period is in force and
-- the older ones are its history, with who set them and when.
CREATE TABLE report_forecast_adjustments (
    id         INTEGER PRIMARY KEY,
    owner_id   INTEGER NOT NULL REFERENCES users (id),
    period     TEXT    NOT NULL,
    amount     INTEGER NOT NULL,
    note       TEXT    NOT NULL DEFAULT '',
    created_by INTEGER NOT NULL REFERENCES users (id),
    created_at TEXT    NOT NULL
);
CREATE INDEX report_forecast_adjustments_owner ON report_forecast_adjustments (owner_id, period, id);

-- The pipeline groups live deals by owner and stage and sums amounts.
CREATE INDEX deals_report_owner_stage ON deals (owner_id, stage, amount) WHERE deleted_at IS NULL;
-- The forecast reads deals by expected close date, grouped by owner and stage.
CREATE INDEX deals_report_close ON deals (expected_close_date, owner_id, stage, amount) WHERE deleted_at IS NULL;
-- Funnel and win/loss read stage changes by time.
CREATE INDEX audit_report_time ON audit_log (entity_type, created_at);
