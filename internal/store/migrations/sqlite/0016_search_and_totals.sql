-- Account name searches of one or two characters (docs/benchmarks.md,
-- "Scale proof"): the trigram table of 0009 needs three characters, so a
-- short text that matches few names read every name (177 ms for 龙虎 at
-- 200,000 accounts). account_name_pairs holds, per account, every pair of
-- neighbouring characters of lower(name) (the very text the LIKE reads),
-- and the last character paired with '' : a name contains a two-character
-- text exactly when it has that pair, and a one-character text exactly
-- when some pair starts with it (store/list.go, pairCondition). Every
-- account is in it, deleted or not, as in the trigram table; the list's
-- own conditions leave the deleted out.
--
-- Positions come from a recursive CTE inside a subquery: SQLite allows
-- that in a trigger (a WITH that starts a trigger statement it refuses),
-- and generate_series is not part of this SQLite.
CREATE TABLE account_name_pairs (
    c1         TEXT    NOT NULL,
    c2         TEXT    NOT NULL,
    account_id INTEGER NOT NULL,
    PRIMARY KEY (c1, c2, account_id)
) WITHOUT ROWID;

INSERT OR IGNORE INTO account_name_pairs (c1, c2, account_id)
    SELECT substr(lower(a.name), p.n, 1), substr(lower(a.name), p.n + 1, 1), a.id
    FROM accounts a
    JOIN (WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < (SELECT MAX(length(name)) FROM accounts))
          SELECT n FROM s) p ON p.n <= length(a.name);

CREATE TRIGGER account_name_pairs_insert AFTER INSERT ON accounts BEGIN
    INSERT OR IGNORE INTO account_name_pairs (c1, c2, account_id)
        SELECT substr(lower(NEW.name), p.n, 1), substr(lower(NEW.name), p.n + 1, 1), NEW.id
        FROM (WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < length(NEW.name)) SELECT n FROM s) p
        WHERE p.n <= length(NEW.name);
END;

-- The pairs of the old name are found by the primary key, one lookup each;
-- a delete by account_id alone would need a second index on every row.
CREATE TRIGGER account_name_pairs_delete AFTER DELETE ON accounts BEGIN
    DELETE FROM account_name_pairs WHERE (c1, c2, account_id) IN (
        SELECT substr(lower(OLD.name), p.n, 1), substr(lower(OLD.name), p.n + 1, 1), OLD.id
        FROM (WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < length(OLD.name)) SELECT n FROM s) p
        WHERE p.n <= length(OLD.name));
END;

CREATE TRIGGER account_name_pairs_update AFTER UPDATE OF name ON accounts WHEN OLD.name IS NOT NEW.name BEGIN
    DELETE FROM account_name_pairs WHERE (c1, c2, account_id) IN (
        SELECT substr(lower(OLD.name), p.n, 1), substr(lower(OLD.name), p.n + 1, 1), OLD.id
        FROM (WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < length(OLD.name)) SELECT n FROM s) p
        WHERE p.n <= length(OLD.name));
    INSERT OR IGNORE INTO account_name_pairs (c1, c2, account_id)
        SELECT substr(lower(NEW.name), p.n, 1), substr(lower(NEW.name), p.n + 1, 1), NEW.id
        FROM (WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < length(NEW.name)) SELECT n FROM s) p
        WHERE p.n <= length(NEW.name);
END;

-- The number of live accounts per owner, kept exact by triggers on every
-- write to accounts (the app, an import, SQL by hand), so that the total
-- of an account list without a search or filter reads a few rows instead
-- of counting every account (store/account.go, accountSummaryCount).
CREATE TABLE account_owner_totals (
    owner_id INTEGER PRIMARY KEY,
    accounts INTEGER NOT NULL
);
INSERT INTO account_owner_totals (owner_id, accounts)
    SELECT owner_id, COUNT(*) FROM accounts WHERE deleted_at IS NULL GROUP BY owner_id;

CREATE TRIGGER account_owner_totals_insert AFTER INSERT ON accounts WHEN NEW.deleted_at IS NULL BEGIN
    INSERT INTO account_owner_totals (owner_id, accounts) VALUES (NEW.owner_id, 1)
        ON CONFLICT (owner_id) DO UPDATE SET accounts = accounts + 1;
END;

CREATE TRIGGER account_owner_totals_update AFTER UPDATE OF owner_id, deleted_at ON accounts
    WHEN OLD.owner_id IS NOT NEW.owner_id OR OLD.deleted_at IS NOT NEW.deleted_at
BEGIN
    UPDATE account_owner_totals SET accounts = accounts - 1 WHERE OLD.deleted_at IS NULL AND owner_id = OLD.owner_id;
    INSERT INTO account_owner_totals (owner_id, accounts) SELECT NEW.owner_id, 1 WHERE NEW.deleted_at IS NULL
        ON CONFLICT (owner_id) DO UPDATE SET accounts = accounts + 1;
END;

CREATE TRIGGER account_owner_totals_delete AFTER DELETE ON accounts WHEN OLD.deleted_at IS NULL BEGIN
    UPDATE account_owner_totals SET accounts = accounts - 1 WHERE owner_id = OLD.owner_id;
END;
