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
CREATE INDEX accounts_name_trgm ON accounts USING gin (lower(name COLLATE "C") public.gin_trgm_ops) WHERE deleted_at IS NULL;
CREATE INDEX deals_title_trgm ON deals USING gin (lower(title COLLATE "C") public.gin_trgm_ops) WHERE deleted_at IS NULL;
