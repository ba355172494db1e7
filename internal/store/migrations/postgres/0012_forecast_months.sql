-- Reports (issue 6): the forecast's day summary (0010) folded once more,
-- per close month ('YYYY-MM', as SQLite spells it), owner and stage, and
-- kept exact by the same trigger function on deals beside it. An admin's
-- six months were about 33,000 day rows to read; whole months are now a
-- few hundred month rows. The forecast still reads day rows for the month
-- holding today, whose days split into slipped and not, and for a first
-- or last month the range covers only in part (store.DB.ForecastCells).
CREATE TABLE report_forecast_months (
    month    TEXT   NOT NULL,
    owner_id BIGINT NOT NULL,
    stage    TEXT   NOT NULL,
    deals    BIGINT NOT NULL,
    amount   BIGINT NOT NULL,
    PRIMARY KEY (month, owner_id, stage)
);
-- A rep's or a filtered forecast reads one owner's months.
CREATE INDEX report_forecast_months_owner ON report_forecast_months (owner_id, month);
INSERT INTO report_forecast_months (month, owner_id, stage, deals, amount)
    SELECT to_char(expected_close_date, 'YYYY-MM'), owner_id, stage, COUNT(*), SUM(amount) FROM deals
    WHERE deleted_at IS NULL AND expected_close_date IS NOT NULL
    GROUP BY to_char(expected_close_date, 'YYYY-MM'), owner_id, stage;

-- 0011's function, which keeps the day rows, now keeps the month rows
-- too. Each pair is touched in key order, as 0011 explains: the two day
-- rows of a move first, then its two month rows, so every transaction
-- takes its locks in the same order (day rows, month rows, then the
-- pipeline's, whose trigger fires after this one) and two opposite moves
-- between the same months cannot deadlock even on different days.
CREATE OR REPLACE FUNCTION report_forecast_sync() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    take_old boolean := TG_OP IN ('UPDATE', 'DELETE') AND OLD.deleted_at IS NULL AND OLD.expected_close_date IS NOT NULL;
    put_new boolean := TG_OP IN ('INSERT', 'UPDATE') AND NEW.deleted_at IS NULL AND NEW.expected_close_date IS NOT NULL;
    take_month boolean;
    put_month boolean;
    old_month text;
    new_month text;
BEGIN
    IF take_old AND put_new AND OLD.owner_id = NEW.owner_id AND OLD.stage = NEW.stage AND OLD.amount = NEW.amount
        AND OLD.expected_close_date = NEW.expected_close_date THEN
        RETURN NULL;
    END IF;
    take_month := take_old;
    put_month := put_new;
    IF take_old THEN
        old_month := to_char(OLD.expected_close_date, 'YYYY-MM');
    END IF;
    IF put_new THEN
        new_month := to_char(NEW.expected_close_date, 'YYYY-MM');
    END IF;

    -- The day rows.
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

    -- The month rows: a move within one month, owner and stage (a new
    -- day, same month) leaves them as they are.
    IF take_month AND put_month AND old_month = new_month AND OLD.owner_id = NEW.owner_id
        AND OLD.stage = NEW.stage AND OLD.amount = NEW.amount THEN
        RETURN NULL;
    END IF;
    IF take_month AND put_month AND (new_month, NEW.owner_id, NEW.stage) < (old_month, OLD.owner_id, OLD.stage) THEN
        INSERT INTO report_forecast_months (month, owner_id, stage, deals, amount)
            VALUES (new_month, NEW.owner_id, NEW.stage, 1, NEW.amount)
            ON CONFLICT (month, owner_id, stage) DO UPDATE SET deals = report_forecast_months.deals + 1,
                amount = report_forecast_months.amount + EXCLUDED.amount;
        put_month := false;
    END IF;
    IF take_month THEN
        UPDATE report_forecast_months SET deals = deals - 1, amount = amount - OLD.amount
            WHERE month = old_month AND owner_id = OLD.owner_id AND stage = OLD.stage;
    END IF;
    IF put_month THEN
        INSERT INTO report_forecast_months (month, owner_id, stage, deals, amount)
            VALUES (new_month, NEW.owner_id, NEW.stage, 1, NEW.amount)
            ON CONFLICT (month, owner_id, stage) DO UPDATE SET deals = report_forecast_months.deals + 1,
                amount = report_forecast_months.amount + EXCLUDED.amount;
    END IF;
    RETURN NULL;
END;
$$;
