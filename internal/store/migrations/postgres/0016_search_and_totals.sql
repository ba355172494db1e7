-- Account name searches of one or two characters (docs/benchmarks.md,
-- "Scale proof"): pg_trgm (0009) needs a trigram of the text, so a short
-- text that matches few names read every name (97 ms for 龙虎 at 200,000
-- accounts). account_name_pairs holds, per account, every pair of
-- neighbouring characters of lower(name COLLATE "C") (the very text the
-- LIKE reads), and the last character paired with '': a name contains a
-- two-character text exactly when it has that pair, and a one-character
-- text exactly when some pair starts with it (store/list.go,
-- pairCondition). Every account is in it, deleted or not; the list's own
-- conditions leave the deleted out. The columns compare bytes (COLLATE
-- "C"): only equality is asked of them.
CREATE TABLE account_name_pairs (
    c1         TEXT   COLLATE "C" NOT NULL,
    c2         TEXT   COLLATE "C" NOT NULL,
    account_id BIGINT NOT NULL,
    PRIMARY KEY (c1, c2, account_id)
);

INSERT INTO account_name_pairs (c1, c2, account_id)
    SELECT DISTINCT substr(lower(a.name COLLATE "C"), p.n, 1), substr(lower(a.name COLLATE "C"), p.n + 1, 1), a.id
    FROM accounts a CROSS JOIN LATERAL generate_series(1, length(a.name)) p(n);

-- New accounts are paired once per statement, from its transition table:
-- an import or a bulk load (COPY) of thousands of accounts then runs one
-- set-based INSERT instead of a trigger call per row. PostgreSQL refuses a
-- transition table on a trigger with a column list, so renames and
-- deletes, which are rare, have a row trigger.
CREATE FUNCTION account_name_pairs_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO account_name_pairs (c1, c2, account_id)
        SELECT DISTINCT substr(lower(a.name COLLATE "C"), p.pos, 1), substr(lower(a.name COLLATE "C"), p.pos + 1, 1), a.id
        FROM new_accounts a CROSS JOIN LATERAL generate_series(1, length(a.name)) p(pos)
        ON CONFLICT DO NOTHING;
    RETURN NULL;
END;
$$;

CREATE TRIGGER account_name_pairs_insert AFTER INSERT ON accounts
    REFERENCING NEW TABLE AS new_accounts FOR EACH STATEMENT EXECUTE FUNCTION account_name_pairs_insert();

-- The pairs of the old name are found by the primary key, one lookup each;
-- a delete by account_id alone would need a second index on every row.
CREATE FUNCTION account_name_pairs_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.name = NEW.name THEN
        RETURN NULL;
    END IF;
    DELETE FROM account_name_pairs WHERE (c1, c2, account_id) IN (
        SELECT substr(lower(OLD.name COLLATE "C"), p.pos, 1), substr(lower(OLD.name COLLATE "C"), p.pos + 1, 1), OLD.id
        FROM generate_series(1, length(OLD.name)) p(pos));
    IF TG_OP = 'UPDATE' THEN
        INSERT INTO account_name_pairs (c1, c2, account_id)
            SELECT DISTINCT substr(lower(NEW.name COLLATE "C"), p.pos, 1), substr(lower(NEW.name COLLATE "C"), p.pos + 1, 1), NEW.id
            FROM generate_series(1, length(NEW.name)) p(pos)
            ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER account_name_pairs_sync AFTER DELETE OR UPDATE OF name ON accounts
    FOR EACH ROW EXECUTE FUNCTION account_name_pairs_sync();

-- The number of live accounts per owner, kept exact by triggers on every
-- write to accounts (the app, an import, SQL by hand), so that the total
-- of an account list without a search or filter reads a few rows instead
-- of counting every account (store/account.go, accountSummaryCount). An
-- account that changes owner takes from one row and adds to another: in
-- key order, whatever the direction, so that two opposite moves at once
-- cannot deadlock (as 0011 does for the reports' summaries).
CREATE TABLE account_owner_totals (
    owner_id BIGINT PRIMARY KEY,
    accounts BIGINT NOT NULL
);
INSERT INTO account_owner_totals (owner_id, accounts)
    SELECT owner_id, COUNT(*) FROM accounts WHERE deleted_at IS NULL GROUP BY owner_id;

-- New accounts are counted once per statement, owners in key order.
CREATE FUNCTION account_owner_totals_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO account_owner_totals (owner_id, accounts)
        SELECT owner_id, COUNT(*) FROM new_accounts WHERE deleted_at IS NULL GROUP BY owner_id ORDER BY owner_id
        ON CONFLICT (owner_id) DO UPDATE SET accounts = account_owner_totals.accounts + EXCLUDED.accounts;
    RETURN NULL;
END;
$$;

CREATE TRIGGER account_owner_totals_insert AFTER INSERT ON accounts
    REFERENCING NEW TABLE AS new_accounts FOR EACH STATEMENT EXECUTE FUNCTION account_owner_totals_insert();

CREATE FUNCTION account_owner_totals_sync() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    take_old boolean := OLD.deleted_at IS NULL;
    put_new boolean := TG_OP = 'UPDATE' AND NEW.deleted_at IS NULL;
BEGIN
    IF take_old AND put_new AND OLD.owner_id = NEW.owner_id THEN
        RETURN NULL;
    END IF;
    IF take_old AND put_new AND NEW.owner_id < OLD.owner_id THEN
        INSERT INTO account_owner_totals (owner_id, accounts) VALUES (NEW.owner_id, 1)
            ON CONFLICT (owner_id) DO UPDATE SET accounts = account_owner_totals.accounts + 1;
        put_new := false;
    END IF;
    IF take_old THEN
        UPDATE account_owner_totals SET accounts = accounts - 1 WHERE owner_id = OLD.owner_id;
    END IF;
    IF put_new THEN
        INSERT INTO account_owner_totals (owner_id, accounts) VALUES (NEW.owner_id, 1)
            ON CONFLICT (owner_id) DO UPDATE SET accounts = account_owner_totals.accounts + 1;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER account_owner_totals_sync AFTER DELETE OR UPDATE OF owner_id, deleted_at ON accounts
    FOR EACH ROW EXECUTE FUNCTION account_owner_totals_sync();
