-- The report summaries kept by triggers on deals (0007, 0010-0012, 0014)
-- were row triggers for inserts too. PostgreSQL cannot reuse the space of
-- a row version that the same, still open transaction replaced, so the
-- k-th insert of a bulk load into one summary row walked past k-1 dead
-- versions of it: an import of 50,000 deals of a few owners cost minutes
-- of the server's CPU (docs/benchmarks.md, "Import"), and the 1,000,000
-- deal report seed never finished. Inserts now add to the summaries once
-- per statement, from the statement's transition table, one upsert per
-- summary table: a COPY of 5,000 deals touches each summary row once.
-- Updates and deletes stay row triggers (the functions' INSERT branches
-- are no longer reached). The tables are written in the order the row
-- triggers take them — their names' order: stage entries, forecast days
-- and months, pipeline changes, pipeline totals — each in key order, so
-- an insert and concurrent moves take their locks in one order (0011).
-- SQLite writes every row in place and has one writer; it has no 0017.

DROP TRIGGER report_pipeline_sync ON deals;
CREATE TRIGGER report_pipeline_sync AFTER UPDATE OR DELETE ON deals
    FOR EACH ROW EXECUTE FUNCTION report_pipeline_sync();
DROP TRIGGER report_forecast_sync ON deals;
CREATE TRIGGER report_forecast_sync AFTER UPDATE OR DELETE ON deals
    FOR EACH ROW EXECUTE FUNCTION report_forecast_sync();
DROP TRIGGER report_pipeline_changes_sync ON deals;
CREATE TRIGGER report_pipeline_changes_sync AFTER UPDATE OR DELETE ON deals
    FOR EACH ROW EXECUTE FUNCTION report_pipeline_changes_sync();
DROP TRIGGER deal_stage_entries_sync ON deals;
CREATE TRIGGER deal_stage_entries_sync AFTER UPDATE OR DELETE ON deals
    FOR EACH ROW EXECUTE FUNCTION deal_stage_entries_sync();

CREATE FUNCTION deal_insert_summaries() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO deal_stage_entries (deal_id, stage, entered_at)
        SELECT id, stage, created_at FROM new_deals ORDER BY id
        ON CONFLICT (deal_id, stage) DO NOTHING;
    INSERT INTO report_forecast_totals (close_date, owner_id, stage, deals, amount)
        SELECT expected_close_date, owner_id, stage, COUNT(*), SUM(amount) FROM new_deals
        WHERE deleted_at IS NULL AND expected_close_date IS NOT NULL
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (close_date, owner_id, stage) DO UPDATE SET deals = report_forecast_totals.deals + EXCLUDED.deals,
            amount = report_forecast_totals.amount + EXCLUDED.amount;
    INSERT INTO report_forecast_months (month, owner_id, stage, deals, amount)
        SELECT to_char(expected_close_date, 'YYYY-MM'), owner_id, stage, COUNT(*), SUM(amount) FROM new_deals
        WHERE deleted_at IS NULL AND expected_close_date IS NOT NULL
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (month, owner_id, stage) DO UPDATE SET deals = report_forecast_months.deals + EXCLUDED.deals,
            amount = report_forecast_months.amount + EXCLUDED.amount;
    INSERT INTO report_pipeline_changes (day, owner_id, stage, deals, amount)
        SELECT (created_at AT TIME ZONE 'UTC')::date, owner_id, stage, COUNT(*), SUM(amount) FROM new_deals
        WHERE deleted_at IS NULL
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT ON CONSTRAINT report_pipeline_changes_pkey DO UPDATE SET deals = report_pipeline_changes.deals + EXCLUDED.deals,
            amount = report_pipeline_changes.amount + EXCLUDED.amount;
    INSERT INTO report_pipeline_totals (owner_id, stage, deals, amount)
        SELECT owner_id, stage, COUNT(*), SUM(amount) FROM new_deals
        WHERE deleted_at IS NULL
        GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (owner_id, stage) DO UPDATE SET deals = report_pipeline_totals.deals + EXCLUDED.deals,
            amount = report_pipeline_totals.amount + EXCLUDED.amount;
    RETURN NULL;
END;
$$;
CREATE TRIGGER deal_insert_summaries AFTER INSERT ON deals
    REFERENCING NEW TABLE AS new_deals FOR EACH STATEMENT EXECUTE FUNCTION deal_insert_summaries();
