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

-- The pairs of the old name are found by the primary key, one lookup each;
-- a delete by account_id alone would need a second index on every row.
CREATE FUNCTION account_name_pairs_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.name = NEW.name THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM account_name_pairs WHERE (c1, c2, account_id) IN (
            SELECT substr(lower(OLD.name COLLATE "C"), p.n, 1), substr(lower(OLD.name COLLATE "C"), p.n + 1, 1), OLD.id
            FROM generate_series(1, length(OLD.name)) p(n));
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO account_name_pairs (c1, c2, account_id)
            SELECT DISTINCT substr(lower(NEW.name COLLATE "C"), p.n, 1), substr(lower(NEW.name COLLATE "C"), p.n + 1, 1), NEW.id
            FROM generate_series(1, length(NEW.name)) p(n)
            ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER account_name_pairs_sync AFTER INSERT OR DELETE OR UPDATE OF name ON accounts
    FOR EACH ROW EXECUTE FUNCTION account_name_pairs_sync();
