-- Reports (issue 6): the forecast's day summary (0010) folded once more,
-- per close month ('YYYY-MM'), owner and stage, and kept exact by triggers
-- on deals beside it. An admin's six months were about 33,000 day rows to
-- read (144 ms at a million deals); whole months are now a few hundred
-- month rows. The forecast still reads day rows for the month holding
-- today, whose days split into slipped and not, and for a first or last
-- month the range covers only in part (store.DB.ForecastCells).
CREATE TABLE report_forecast_months (
    month    TEXT    NOT NULL,
    owner_id INTEGER NOT NULL,
    stage    TEXT    NOT NULL,
    deals    INTEGER NOT NULL,
    amount   INTEGER NOT NULL,
    PRIMARY KEY (month, owner_id, stage)
);
-- A rep's or a filtered forecast reads one owner's months.
CREATE INDEX report_forecast_months_owner ON report_forecast_months (owner_id, month);
INSERT INTO report_forecast_months (month, owner_id, stage, deals, amount)
    SELECT substr(expected_close_date, 1, 7), owner_id, stage, COUNT(*), SUM(amount) FROM deals
    WHERE deleted_at IS NULL AND expected_close_date IS NOT NULL
    GROUP BY substr(expected_close_date, 1, 7), owner_id, stage;

CREATE TRIGGER report_forecast_months_insert AFTER INSERT ON deals
    WHEN NEW.deleted_at IS NULL AND NEW.expected_close_date IS NOT NULL
BEGIN
    INSERT INTO report_forecast_months (month, owner_id, stage, deals, amount)
        VALUES (substr(NEW.expected_close_date, 1, 7), NEW.owner_id, NEW.stage, 1, NEW.amount)
        ON CONFLICT (month, owner_id, stage) DO UPDATE SET deals = deals + 1, amount = amount + excluded.amount;
END;

CREATE TRIGGER report_forecast_months_update AFTER UPDATE ON deals
    WHEN OLD.owner_id IS NOT NEW.owner_id OR OLD.stage IS NOT NEW.stage OR OLD.amount IS NOT NEW.amount
        OR OLD.deleted_at IS NOT NEW.deleted_at OR substr(OLD.expected_close_date, 1, 7) IS NOT substr(NEW.expected_close_date, 1, 7)
BEGIN
    UPDATE report_forecast_months SET deals = deals - 1, amount = amount - OLD.amount
        WHERE OLD.deleted_at IS NULL AND month = substr(OLD.expected_close_date, 1, 7) AND owner_id = OLD.owner_id AND stage = OLD.stage;
    INSERT INTO report_forecast_months (month, owner_id, stage, deals, amount)
        SELECT substr(NEW.expected_close_date, 1, 7), NEW.owner_id, NEW.stage, 1, NEW.amount
        WHERE NEW.deleted_at IS NULL AND NEW.expected_close_date IS NOT NULL
        ON CONFLICT (month, owner_id, stage) DO UPDATE SET deals = deals + 1, amount = amount + excluded.amount;
END;

CREATE TRIGGER report_forecast_months_delete AFTER DELETE ON deals
    WHEN OLD.deleted_at IS NULL AND OLD.expected_close_date IS NOT NULL
BEGIN
    UPDATE report_forecast_months SET deals = deals - 1, amount = amount - OLD.amount
        WHERE month = substr(OLD.expected_close_date, 1, 7) AND owner_id = OLD.owner_id AND stage = OLD.stage;
END;
