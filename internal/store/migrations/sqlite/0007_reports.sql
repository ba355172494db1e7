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

-- The pipeline and the forecast read only these indexes, never the table:
-- deleted_at is a column of each (not a partial-index condition), because
-- SQLite treats a partial index as covering only when the query does not
-- name the condition's column, and these queries must say deleted_at IS
-- NULL. The pipeline groups live deals by stage and owner; the forecast
-- reads them by expected close date, for everyone or for one owner.
CREATE INDEX deals_report_stage ON deals (stage, owner_id, amount, deleted_at);
CREATE INDEX deals_report_close ON deals (expected_close_date, owner_id, stage, amount, deleted_at);
CREATE INDEX deals_report_owner_close ON deals (owner_id, expected_close_date, stage, amount, deleted_at);
-- Funnel and win/loss read stage changes by time.
CREATE INDEX audit_report_time ON audit_log (entity_type, created_at);

-- The forecast's calibration reads every finished deal's history, which on
-- a large database costs seconds; its counts per viewer scope are kept
-- here and recomputed when older than crm.CalibrationTTL. scope_key names
-- the scope and filters (crm.ReportFilter.ScopeKey); stages holds the
-- counts per stage as JSON.
CREATE TABLE report_calibration (
    scope_key   TEXT    PRIMARY KEY,
    finished    INTEGER NOT NULL,
    stages      TEXT    NOT NULL,
    computed_at TEXT    NOT NULL
);

-- The pipeline now, as a summary kept by the database itself: the count
-- and amount of live deals per owner and stage. Triggers keep it exact on
-- every write to deals, whoever makes it (the app, an import, SQL by
-- hand), so the pipeline report reads a few hundred rows instead of a
-- million index entries (docs/benchmarks.md, "Reports").
CREATE TABLE report_pipeline_totals (
    owner_id INTEGER NOT NULL,
    stage    TEXT    NOT NULL,
    deals    INTEGER NOT NULL,
    amount   INTEGER NOT NULL,
    PRIMARY KEY (owner_id, stage)
);
INSERT INTO report_pipeline_totals (owner_id, stage, deals, amount)
    SELECT owner_id, stage, COUNT(*), SUM(amount) FROM deals WHERE deleted_at IS NULL GROUP BY owner_id, stage;

CREATE TRIGGER report_pipeline_insert AFTER INSERT ON deals WHEN NEW.deleted_at IS NULL
BEGIN
    INSERT INTO report_pipeline_totals (owner_id, stage, deals, amount) VALUES (NEW.owner_id, NEW.stage, 1, NEW.amount)
        ON CONFLICT (owner_id, stage) DO UPDATE SET deals = deals + 1, amount = amount + excluded.amount;
END;

CREATE TRIGGER report_pipeline_update AFTER UPDATE ON deals
    WHEN OLD.owner_id IS NOT NEW.owner_id OR OLD.stage IS NOT NEW.stage OR OLD.amount IS NOT NEW.amount OR OLD.deleted_at IS NOT NEW.deleted_at
BEGIN
    UPDATE report_pipeline_totals SET deals = deals - 1, amount = amount - OLD.amount
        WHERE OLD.deleted_at IS NULL AND owner_id = OLD.owner_id AND stage = OLD.stage;
    INSERT INTO report_pipeline_totals (owner_id, stage, deals, amount)
        SELECT NEW.owner_id, NEW.stage, 1, NEW.amount WHERE NEW.deleted_at IS NULL
        ON CONFLICT (owner_id, stage) DO UPDATE SET deals = deals + 1, amount = amount + excluded.amount;
END;

CREATE TRIGGER report_pipeline_delete AFTER DELETE ON deals WHEN OLD.deleted_at IS NULL
BEGIN
    UPDATE report_pipeline_totals SET deals = deals - 1, amount = amount - OLD.amount
        WHERE owner_id = OLD.owner_id AND stage = OLD.stage;
END;
