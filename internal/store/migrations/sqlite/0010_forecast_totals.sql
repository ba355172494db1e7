-- Reports (issue 6): the forecast as a summary kept by the database, as
-- report_pipeline_totals (0007) is for the pipeline: the count and amount
-- of live deals per expected close day, owner and stage. Triggers keep it
-- exact on every write to deals, whoever makes it (the app, an import, SQL
-- by hand). Day granularity, not month, so that "slipped" (an open deal
-- whose close date is before today) stays exact: it is the sum over the
-- days before today. An admin's six months are then at most
-- owners x 183 days x stages rows instead of every deal in them
-- (docs/benchmarks.md, "Reports"). Deals without a close date are in no
-- forecast and so not here.
CREATE TABLE report_forecast_totals (
    close_date TEXT    NOT NULL,
    owner_id   INTEGER NOT NULL,
    stage      TEXT    NOT NULL,
    deals      INTEGER NOT NULL,
    amount     INTEGER NOT NULL,
    PRIMARY KEY (close_date, owner_id, stage)
);
-- A rep's or a filtered forecast reads one owner's days.
CREATE INDEX report_forecast_totals_owner ON report_forecast_totals (owner_id, close_date);
INSERT INTO report_forecast_totals (close_date, owner_id, stage, deals, amount)
    SELECT expected_close_date, owner_id, stage, COUNT(*), SUM(amount) FROM deals
    WHERE deleted_at IS NULL AND expected_close_date IS NOT NULL
    GROUP BY expected_close_date, owner_id, stage;

CREATE TRIGGER report_forecast_insert AFTER INSERT ON deals
    WHEN NEW.deleted_at IS NULL AND NEW.expected_close_date IS NOT NULL
BEGIN
    INSERT INTO report_forecast_totals (close_date, owner_id, stage, deals, amount)
        VALUES (NEW.expected_close_date, NEW.owner_id, NEW.stage, 1, NEW.amount)
        ON CONFLICT (close_date, owner_id, stage) DO UPDATE SET deals = deals + 1, amount = amount + excluded.amount;
END;

CREATE TRIGGER report_forecast_update AFTER UPDATE ON deals
    WHEN OLD.owner_id IS NOT NEW.owner_id OR OLD.stage IS NOT NEW.stage OR OLD.amount IS NOT NEW.amount
        OR OLD.deleted_at IS NOT NEW.deleted_at OR OLD.expected_close_date IS NOT NEW.expected_close_date
BEGIN
    UPDATE report_forecast_totals SET deals = deals - 1, amount = amount - OLD.amount
        WHERE OLD.deleted_at IS NULL AND close_date = OLD.expected_close_date AND owner_id = OLD.owner_id AND stage = OLD.stage;
    INSERT INTO report_forecast_totals (close_date, owner_id, stage, deals, amount)
        SELECT NEW.expected_close_date, NEW.owner_id, NEW.stage, 1, NEW.amount
        WHERE NEW.deleted_at IS NULL AND NEW.expected_close_date IS NOT NULL
        ON CONFLICT (close_date, owner_id, stage) DO UPDATE SET deals = deals + 1, amount = amount + excluded.amount;
END;

CREATE TRIGGER report_forecast_delete AFTER DELETE ON deals
    WHEN OLD.deleted_at IS NULL AND OLD.expected_close_date IS NOT NULL
BEGIN
    UPDATE report_forecast_totals SET deals = deals - 1, amount = amount - OLD.amount
        WHERE close_date = OLD.expected_close_date AND owner_id = OLD.owner_id AND stage = OLD.stage;
END;
