-- Text search at scale (docs/benchmarks.md, "Scale proof"): a search on
-- account names or deal titles that matches few rows read every row, since
-- no B-tree index serves LIKE '%…%'. pg_trgm's GIN indexes on the very
-- expression the store searches (lower(… COLLATE "C") LIKE ?) serve it.
-- pg_trgm ships with PostgreSQL and is a trusted extension: the database
-- owner may create it. It goes into schema public, so that a database
-- whose schemas come and go (the tests') keeps one copy; when two
-- migrations race to create it, the loser finds it made.
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
EXCEPTION WHEN unique_violation OR duplicate_object THEN
    NULL;
END
$$;
--
-- The indexes are not partial (no WHERE deleted_at IS NULL) on purpose:
-- PostgreSQL's planner ignores the expression statistics of partial
-- indexes, and without them it guesses that every search is rare. A
-- common text ("有限公司", in most names) then went through the trigram
-- index and sorted 160,000 rows (0.5 s) instead of walking the name index
-- and stopping after a page (0.2 ms).
CREATE INDEX accounts_name_trgm ON accounts USING gin (lower(name COLLATE "C") public.gin_trgm_ops);
CREATE INDEX deals_title_trgm ON deals USING gin (lower(title COLLATE "C") public.gin_trgm_ops);
