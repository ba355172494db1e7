-- Reports (issue 6): the deals' stage history as two tables kept by
-- triggers on deals, so that the pipeline as of a past date, the funnel,
-- the forecast's calibration, win/loss and cycle times stop reading every
-- deal's stage changes out of the audit log's JSON (docs/benchmarks.md,
-- "Reports").

-- The pipeline's day-by-day changes: per UTC day, owner and stage, what
-- the live deals entering that cell added and those leaving it took away
-- (+1 and +amount on entering, -1 and -amount on leaving; an amount
-- change is a leave and an enter on the same day, so its net is the
-- difference). The pipeline as of the end of day D is the sum of the rows
-- up to D, or report_pipeline_totals minus the rows after D. The day of a
-- change is the deal's stage_changed_at when its stage changes, created_at
-- for its creation, deleted_at for its deletion and updated_at for any
-- other change (reassignment, amount, undeletion); a deal deleted for
-- good (DELETE) leaves on the day it is deleted.
CREATE TABLE report_pipeline_changes (
    day      DATE   NOT NULL,
    owner_id BIGINT NOT NULL,
    stage    TEXT   NOT NULL,
    deals    BIGINT NOT NULL,
    amount   BIGINT NOT NULL,
    PRIMARY KEY (day, owner_id, stage)
);
-- A rep's or a team's pipeline reads its owners' days.
CREATE INDEX report_pipeline_changes_owner ON report_pipeline_changes (owner_id, day);

-- The first time each deal entered each stage: its stage at creation at
-- created_at, every later stage at the stage_changed_at of the move into
-- it. The funnel and the calibration take the furthest stage a deal
-- reached from here, win/loss and cycle times the first entry into a won
-- stage.
CREATE TABLE deal_stage_entries (
    deal_id    BIGINT      NOT NULL,
    stage      TEXT        NOT NULL,
    entered_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (deal_id, stage)
);
-- Deals first entering the won stages in a period.
CREATE INDEX deal_stage_entries_stage ON deal_stage_entries (stage, entered_at, deal_id);

-- The funnel reads the deals created in a period, for everyone or for a
-- few owners; without these it read the whole deals table (as 0007's
-- indexes, deleted_at is a column, not a condition, so that SQLite can
-- use them as covering).
CREATE INDEX deals_report_created ON deals (created_at, owner_id, stage, deleted_at);
CREATE INDEX deals_report_owner_created ON deals (owner_id, created_at, stage, deleted_at);

-- The backfill, from the deals and the stage changes of the audit log
-- (actions 'stage' and 'override', {"stage": …} in before_json and
-- after_json). store.DB.RebuildReportHistory runs the same statements,
-- read from between the two markers, after deals and their history were
-- written in bulk out of order (test seeds, demo data).
--
-- The pipeline keeps the meaning the audit-based query had: a deal's stage
-- at a time is the one its last stage change up to then moved it to, else
-- the one its first later change moved it from, else its current stage;
-- a deal is there from created_at until deleted_at; the audit has no
-- owner or amount history, so the current ones stand for the past. Each
-- deal is a run of segments (its stage at creation, then one per stage
-- change after creation and before deletion); a segment enters its cell
-- on its first day and leaves it on the next segment's (or the deletion's)
-- day. A live deal whose last recorded stage is not its stage (a change
-- made without an audit row) moves to it at its stage_changed_at, so that
-- the rows add up to report_pipeline_totals.
-- rebuild:begin
DELETE FROM report_pipeline_changes;
DELETE FROM deal_stage_entries;
WITH seg0 AS (
    SELECT d.id AS deal_id, 0 AS kind, 0 AS ord, d.created_at AS at, COALESCE(
        (SELECT (a.after_json::jsonb ->> 'stage') FROM audit_log a WHERE a.entity_type = 'deal' AND a.entity_id = d.id
            AND a.action IN ('stage', 'override') AND a.created_at <= d.created_at ORDER BY a.id DESC LIMIT 1),
        (SELECT (a.before_json::jsonb ->> 'stage') FROM audit_log a WHERE a.entity_type = 'deal' AND a.entity_id = d.id
            AND a.action IN ('stage', 'override') AND a.created_at > d.created_at ORDER BY a.id LIMIT 1),
        d.stage) AS stage
    FROM deals d WHERE d.deleted_at IS NULL OR d.deleted_at > d.created_at
    UNION ALL
    SELECT d.id, 1, a.id, a.created_at, (a.after_json::jsonb ->> 'stage')
    FROM audit_log a JOIN deals d ON d.id = a.entity_id
    WHERE a.entity_type = 'deal' AND a.action IN ('stage', 'override')
        AND a.created_at > d.created_at AND (d.deleted_at IS NULL OR a.created_at < d.deleted_at)
), lastseg AS (
    SELECT deal_id, at, stage FROM (
        SELECT deal_id, at, stage, ROW_NUMBER() OVER (PARTITION BY deal_id ORDER BY kind DESC, ord DESC) AS n FROM seg0
    ) n1 WHERE n = 1
), seg AS (
    SELECT deal_id, kind, ord, at, stage FROM seg0
    UNION ALL
    SELECT d.id, 2, 0, GREATEST(l.at, d.stage_changed_at), d.stage FROM lastseg l JOIN deals d ON d.id = l.deal_id
    WHERE d.deleted_at IS NULL AND l.stage IS DISTINCT FROM d.stage
), span AS (
    SELECT s.deal_id, s.at, s.stage, d.owner_id, d.amount,
        COALESCE(LEAD(s.at) OVER (PARTITION BY s.deal_id ORDER BY s.kind, s.ord), d.deleted_at) AS until
    FROM seg s JOIN deals d ON d.id = s.deal_id
)
INSERT INTO report_pipeline_changes (day, owner_id, stage, deals, amount)
    SELECT day, owner_id, stage, SUM(deals), SUM(amount) FROM (
        SELECT (at AT TIME ZONE 'UTC')::date AS day, owner_id, stage, 1 AS deals, amount FROM span
        UNION ALL
        SELECT (until AT TIME ZONE 'UTC')::date, owner_id, stage, -1, -amount FROM span WHERE until IS NOT NULL
    ) x WHERE stage IS NOT NULL GROUP BY day, owner_id, stage;
-- A stage's first entry: the stage at creation (as above) at created_at,
-- every stage a change moved a deal to at the change, every stage a change
-- moved it from at the change (known to have been entered by then; with a
-- consistent history the move into it is earlier), and the current stage
-- at stage_changed_at.
INSERT INTO deal_stage_entries (deal_id, stage, entered_at)
    SELECT deal_id, stage, MIN(at) FROM (
        SELECT d.id AS deal_id, COALESCE(
            (SELECT (a.after_json::jsonb ->> 'stage') FROM audit_log a WHERE a.entity_type = 'deal' AND a.entity_id = d.id
                AND a.action IN ('stage', 'override') AND a.created_at <= d.created_at ORDER BY a.id DESC LIMIT 1),
            (SELECT (a.before_json::jsonb ->> 'stage') FROM audit_log a WHERE a.entity_type = 'deal' AND a.entity_id = d.id
                AND a.action IN ('stage', 'override') AND a.created_at > d.created_at ORDER BY a.id LIMIT 1),
            d.stage) AS stage, d.created_at AS at
        FROM deals d
        UNION ALL
        SELECT d.id, (a.after_json::jsonb ->> 'stage'), a.created_at FROM audit_log a JOIN deals d ON d.id = a.entity_id
        WHERE a.entity_type = 'deal' AND a.action IN ('stage', 'override')
        UNION ALL
        SELECT d.id, (a.before_json::jsonb ->> 'stage'), a.created_at FROM audit_log a JOIN deals d ON d.id = a.entity_id
        WHERE a.entity_type = 'deal' AND a.action IN ('stage', 'override')
        UNION ALL
        SELECT d.id, d.stage, d.stage_changed_at FROM deals d
    ) x WHERE stage IS NOT NULL GROUP BY deal_id, stage;
-- rebuild:end

-- One trigger function per table, as 0007 and 0010. A move takes from one
-- change row and adds to another of the same day: both are touched in key
-- order, whatever the direction of the move, so that two opposite moves at
-- once cannot deadlock (see 0011).
CREATE FUNCTION report_pipeline_changes_sync() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    take_old boolean := TG_OP IN ('UPDATE', 'DELETE') AND OLD.deleted_at IS NULL;
    put_new boolean := TG_OP IN ('INSERT', 'UPDATE') AND NEW.deleted_at IS NULL;
    change_day date;
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.owner_id = NEW.owner_id AND OLD.stage = NEW.stage AND OLD.amount = NEW.amount
        AND OLD.deleted_at IS NOT DISTINCT FROM NEW.deleted_at THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        change_day := (NEW.created_at AT TIME ZONE 'UTC')::date;
    ELSIF TG_OP = 'DELETE' THEN
        change_day := (now() AT TIME ZONE 'UTC')::date;
    ELSIF OLD.stage <> NEW.stage THEN
        change_day := (NEW.stage_changed_at AT TIME ZONE 'UTC')::date;
    ELSIF NEW.deleted_at IS NOT NULL THEN
        change_day := (NEW.deleted_at AT TIME ZONE 'UTC')::date;
    ELSE
        change_day := (NEW.updated_at AT TIME ZONE 'UTC')::date;
    END IF;
    IF take_old AND put_new AND OLD.owner_id = NEW.owner_id AND OLD.stage = NEW.stage THEN
        -- An amount change: one row, the difference.
        INSERT INTO report_pipeline_changes (day, owner_id, stage, deals, amount) VALUES (change_day, NEW.owner_id, NEW.stage, 0, NEW.amount - OLD.amount)
            ON CONFLICT ON CONSTRAINT report_pipeline_changes_pkey DO UPDATE SET
                amount = report_pipeline_changes.amount + EXCLUDED.amount;
        RETURN NULL;
    END IF;
    IF take_old AND put_new AND (NEW.owner_id, NEW.stage) < (OLD.owner_id, OLD.stage) THEN
        INSERT INTO report_pipeline_changes (day, owner_id, stage, deals, amount) VALUES (change_day, NEW.owner_id, NEW.stage, 1, NEW.amount)
            ON CONFLICT ON CONSTRAINT report_pipeline_changes_pkey DO UPDATE SET deals = report_pipeline_changes.deals + 1,
                amount = report_pipeline_changes.amount + EXCLUDED.amount;
        put_new := false;
    END IF;
    IF take_old THEN
        INSERT INTO report_pipeline_changes (day, owner_id, stage, deals, amount) VALUES (change_day, OLD.owner_id, OLD.stage, -1, -OLD.amount)
            ON CONFLICT ON CONSTRAINT report_pipeline_changes_pkey DO UPDATE SET deals = report_pipeline_changes.deals - 1,
                amount = report_pipeline_changes.amount + EXCLUDED.amount;
    END IF;
    IF put_new THEN
        INSERT INTO report_pipeline_changes (day, owner_id, stage, deals, amount) VALUES (change_day, NEW.owner_id, NEW.stage, 1, NEW.amount)
            ON CONFLICT ON CONSTRAINT report_pipeline_changes_pkey DO UPDATE SET deals = report_pipeline_changes.deals + 1,
                amount = report_pipeline_changes.amount + EXCLUDED.amount;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER report_pipeline_changes_sync AFTER INSERT OR UPDATE OR DELETE ON deals
    FOR EACH ROW EXECUTE FUNCTION report_pipeline_changes_sync();

CREATE FUNCTION deal_stage_entries_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM deal_stage_entries WHERE deal_id = OLD.id;
    ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO deal_stage_entries (deal_id, stage, entered_at) VALUES (NEW.id, NEW.stage, NEW.created_at)
            ON CONFLICT (deal_id, stage) DO NOTHING;
    ELSIF OLD.stage <> NEW.stage THEN
        INSERT INTO deal_stage_entries (deal_id, stage, entered_at) VALUES (NEW.id, NEW.stage, NEW.stage_changed_at)
            ON CONFLICT (deal_id, stage) DO NOTHING;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER deal_stage_entries_sync AFTER INSERT OR UPDATE OR DELETE ON deals
    FOR EACH ROW EXECUTE FUNCTION deal_stage_entries_sync();
