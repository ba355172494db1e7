-- Reports (issue 6): the forecast as a summary kept by the database, as
-- report_pipeline_totals (0007) is for the pipeline: the count and amount
-- of live deals per expected close day, owner and stage. A trigger keeps
-- it exact on every write to deals, whoever makes it (the app, an import,
-- SQL by hand). Day granularity, not month, so that "slipped" (an open
-- deal whose close date is before today) stays exact: it is the sum over
-- the days before today. An admin's six months are then at most
-- owners x 183 days x stages rows instead of every deal in them
-- (docs/benchmarks.md, "Reports"). Deals without a close date are in no
-- forecast and so not here.
CREATE TABLE report_forecast_totals (
    close_date DATE   NOT NULL,
    owner_id   BIGINT NOT NULL,
    stage      TEXT   NOT NULL,
    deals      BIGINT NOT NULL,
    amount     BIGINT NOT NULL,
    PRIMARY KEY (close_date, owner_id, stage)
);
-- A rep's or a filtered forecast reads one owner's days.
CREATE INDEX report_forecast_totals_owner ON report_forecast_totals (owner_id, close_date);
INSERT INTO report_forecast_totals (close_date, owner_id, stage, deals, amount)
    SELECT expected_close_date, owner_id, stage, COUNT(*), SUM(amount) FROM deals
    WHERE deleted_at IS NULL AND expected_close_date IS NOT NULL
    GROUP BY expected_close_date, owner_id, stage;

CREATE FUNCTION report_forecast_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.owner_id = NEW.owner_id AND OLD.stage = NEW.stage AND OLD.amount = NEW.amount
        AND OLD.deleted_at IS NOT DISTINCT FROM NEW.deleted_at
        AND OLD.expected_close_date IS NOT DISTINCT FROM NEW.expected_close_date THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.deleted_at IS NULL AND OLD.expected_close_date IS NOT NULL THEN
        UPDATE report_forecast_totals SET deals = deals - 1, amount = amount - OLD.amount
            WHERE close_date = OLD.expected_close_date AND owner_id = OLD.owner_id AND stage = OLD.stage;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.deleted_at IS NULL AND NEW.expected_close_date IS NOT NULL THEN
        INSERT INTO report_forecast_totals (close_date, owner_id, stage, deals, amount)
            VALUES (NEW.expected_close_date, NEW.owner_id, NEW.stage, 1, NEW.amount)
            ON CONFLICT (close_date, owner_id, stage) DO UPDATE SET deals = report_forecast_totals.deals + 1,
                amount = report_forecast_totals.amount + EXCLUDED.amount;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER report_forecast_sync AFTER INSERT OR UPDATE OR DELETE ON deals
    FOR EACH ROW EXECUTE FUNCTION report_forecast_sync();
