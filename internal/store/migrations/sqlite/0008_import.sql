-- Import jobs (issue 7): one row per uploaded file, updated as the import
-- runs, so the page that started it can poll its progress and any server
-- instance can answer. The uploaded file is kept until rows from it are
-- written, so that a dry run can be run again with another mapping or
-- mode; the error file (CSV of the bad rows) is kept for download.

CREATE TABLE import_jobs (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id),
    kind          TEXT    NOT NULL,
    mode          TEXT    NOT NULL,
    file_name     TEXT    NOT NULL DEFAULT '',
    status        TEXT    NOT NULL,
    phase         TEXT    NOT NULL DEFAULT '',
    total_rows    INTEGER NOT NULL DEFAULT 0,
    done_rows     INTEGER NOT NULL DEFAULT 0,
    inserted_rows INTEGER NOT NULL DEFAULT 0,
    bad_rows      INTEGER NOT NULL DEFAULT 0,
    error_key     TEXT    NOT NULL DEFAULT '',
    result_json   TEXT    NOT NULL DEFAULT '',
    error_file    BLOB,
    file_data     BLOB,
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL
);
CREATE INDEX import_jobs_user ON import_jobs (user_id, id);
