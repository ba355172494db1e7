-- The summaries of 0007 and 0010 are kept by triggers that, when a deal
-- changes stage, owner or close date, take from one summary row and add to
-- another. They did so in the order "old row, then new row", so two deals
-- of one owner moved in opposite directions at once locked the same two
-- rows in opposite orders and deadlocked (the load generator at
-- concurrency 32, docs/benchmarks.md). Now both rows are touched in key
-- order, whatever the direction of the move. SQLite has one writer and
-- cannot deadlock; it has no 0011.

CREATE OR REPLACE FUNCTION report_pipeline_sync() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    take_old boolean := TG_OP IN ('UPDATE', 'DELETE') AND OLD.deleted_at IS NULL;
    put_new boolean := TG_OP IN ('INSERT', 'UPDATE') AND NEW.deleted_at IS NULL;
BEGIN
    IF take_old AND put_new AND OLD.owner_id = NEW.owner_id AND OLD.stage = NEW.stage AND OLD.amount = NEW.amount THEN
        RETURN NULL;
    END IF;
    IF take_old AND put_new AND (NEW.owner_id, NEW.stage) < (OLD.owner_id, OLD.stage) THEN
        INSERT INTO report_pipeline_totals (owner_id, stage, deals, amount) VALUES (NEW.owner_id, NEW.stage, 1, NEW.amount)
            ON CONFLICT (owner_id, stage) DO UPDATE SET deals = report_pipeline_totals.deals + 1,
                amount = report_pipeline_totals.amount + EXCLUDED.amount;
        put_new := false;
    END IF;
    IF take_old THEN
        UPDATE report_pipeline_totals SET deals = deals - 1, amount = amount - OLD.amount
            WHERE owner_id = OLD.owner_id AND stage = OLD.stage;
    END IF;
    IF put_new THEN
        INSERT INTO report_pipeline_totals (owner_id, stage, deals, amount) VALUES (NEW.owner_id, NEW.stage, 1, NEW.amount)
            ON CONFLICT (owner_id, stage) DO UPDATE SET deals = report_pipeline_totals.deals + 1,
                amount = report_pipeline_totals.amount + EXCLUDED.amount;
    END IF;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION report_forecast_sync() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    take_old boolean := TG_OP IN ('UPDATE', 'DELETE') AND OLD.deleted_at IS NULL AND OLD.expected_close_date IS NOT NULL;
    put_new boolean := TG_OP IN ('INSERT', 'UPDATE') AND NEW.deleted_at IS NULL AND NEW.expected_close_date IS NOT NULL;
BEGIN
    IF take_old AND put_new AND OLD.owner_id = NEW.owner_id AND OLD.stage = NEW.stage AND OLD.amount = NEW.amount
        AND OLD.expected_close_date = NEW.expected_close_date THEN
        RETURN NULL;
    END IF;
    IF take_old AND put_new
        AND (NEW.expected_close_date, NEW.owner_id, NEW.stage) < (OLD.expected_close_date, OLD.owner_id, OLD.stage) THEN
        INSERT INTO report_forecast_totals (close_date, owner_id, stage, deals, amount)
            VALUES (NEW.expected_close_date, NEW.owner_id, NEW.stage, 1, NEW.amount)
            ON CONFLICT (close_date, owner_id, stage) DO UPDATE SET deals = report_forecast_totals.deals + 1,
                amount = report_forecast_totals.amount + EXCLUDED.amount;
        put_new := false;
    END IF;
    IF take_old THEN
        UPDATE report_forecast_totals SET deals = deals - 1, amount = amount - OLD.amount
            WHERE close_date = OLD.expected_close_date AND owner_id = OLD.owner_id AND stage = OLD.stage;
    END IF;
    IF put_new THEN
        INSERT INTO report_forecast_totals (close_date, owner_id, stage, deals, amount)
            VALUES (NEW.expected_close_date, NEW.owner_id, NEW.stage, 1, NEW.amount)
            ON CONFLICT (close_date, owner_id, stage) DO UPDATE SET deals = report_forecast_totals.deals + 1,
                amount = report_forecast_totals.amount + EXCLUDED.amount;
    END IF;
    RETURN NULL;
END;
$$;
