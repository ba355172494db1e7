-- Text search at scale (docs/benchmarks.md, "Scale proof"): a search on
-- account names or deal titles that matches few rows read every row, since
-- no B-tree index serves LIKE '%…%'. FTS5 trigram tables index every
-- three-character run of the text; the store consults them first when a
-- search is rare (store/list.go, ftsCondition). They are external-content
-- tables over the live columns, kept in step by triggers.
CREATE VIRTUAL TABLE accounts_name_fts USING fts5(name, content='accounts', content_rowid='id', tokenize='trigram');
INSERT INTO accounts_name_fts(accounts_name_fts) VALUES ('rebuild');
CREATE TRIGGER accounts_name_fts_insert AFTER INSERT ON accounts BEGIN
    INSERT INTO accounts_name_fts (rowid, name) VALUES (new.id, new.name);
END;
CREATE TRIGGER accounts_name_fts_delete AFTER DELETE ON accounts BEGIN
    INSERT INTO accounts_name_fts (accounts_name_fts, rowid, name) VALUES ('delete', old.id, old.name);
END;
CREATE TRIGGER accounts_name_fts_update AFTER UPDATE OF name ON accounts BEGIN
    INSERT INTO accounts_name_fts (accounts_name_fts, rowid, name) VALUES ('delete', old.id, old.name);
    INSERT INTO accounts_name_fts (rowid, name) VALUES (new.id, new.name);
END;

CREATE VIRTUAL TABLE deals_title_fts USING fts5(title, content='deals', content_rowid='id', tokenize='trigram');
INSERT INTO deals_title_fts(deals_title_fts) VALUES ('rebuild');
CREATE TRIGGER deals_title_fts_insert AFTER INSERT ON deals BEGIN
    INSERT INTO deals_title_fts (rowid, title) VALUES (new.id, new.title);
END;
CREATE TRIGGER deals_title_fts_delete AFTER DELETE ON deals BEGIN
    INSERT INTO deals_title_fts (deals_title_fts, rowid, title) VALUES ('delete', old.id, old.title);
END;
CREATE TRIGGER deals_title_fts_update AFTER UPDATE OF title ON deals BEGIN
    INSERT INTO deals_title_fts (deals_title_fts, rowid, title) VALUES ('delete', old.id, old.title);
    INSERT INTO deals_title_fts (rowid, title) VALUES (new.id, new.title);
END;
