-- Core records of the foundation: users, teams, sessions, accounts,
-- contacts, deals and their contacts, activities, audit log.
-- Times are TEXT in the fixed-width form 2006-01-02T15:04:05.000000Z so
-- that text order is time order; dates are TEXT YYYY-MM-DD.

CREATE TABLE teams (
    id         INTEGER PRIMARY KEY,
    version    INTEGER NOT NULL DEFAULT 1,
    name       TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL
);
CREATE UNIQUE INDEX teams_name ON teams (name);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    version       INTEGER NOT NULL DEFAULT 1,
    username      TEXT    NOT NULL,
    display_name  TEXT    NOT NULL DEFAULT '',
    email         TEXT    NOT NULL DEFAULT '',
    role          TEXT    NOT NULL CHECK (role IN ('admin', 'manager', 'rep')),
    team_id       INTEGER REFERENCES teams (id),
    language      TEXT    NOT NULL DEFAULT 'zh-CN',
    disabled      INTEGER NOT NULL DEFAULT 0,
    password_hash TEXT    NOT NULL,
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL
);
CREATE UNIQUE INDEX users_username ON users (username);
CREATE INDEX users_team ON users (team_id);

CREATE TABLE sessions (
    id         INTEGER PRIMARY KEY,
    token_hash TEXT    NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    kind       TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    expires_at TEXT    NOT NULL
);
CREATE UNIQUE INDEX sessions_token ON sessions (token_hash);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE accounts (
    id                INTEGER PRIMARY KEY,
    version           INTEGER NOT NULL DEFAULT 1,
    name              TEXT    NOT NULL,
    credit_code       TEXT    NOT NULL DEFAULT '',
    headcount         INTEGER,
    business_kind     TEXT    NOT NULL DEFAULT '',
    industry          TEXT    NOT NULL DEFAULT '',
    ownership         TEXT    NOT NULL DEFAULT '',
    restructured_on   TEXT,
    just_restructured INTEGER NOT NULL DEFAULT 0,
    revenue_last_year INTEGER,
    gross_profit      INTEGER,
    existing_software TEXT    NOT NULL DEFAULT '',
    branch_count      INTEGER,
    purchase_plan     TEXT    NOT NULL DEFAULT '',
    region            TEXT    NOT NULL DEFAULT '',
    address           TEXT    NOT NULL DEFAULT '',
    phone             TEXT    NOT NULL DEFAULT '',
    website           TEXT    NOT NULL DEFAULT '',
    owner_id          INTEGER NOT NULL REFERENCES users (id),
    credit_limit      INTEGER NOT NULL DEFAULT 0,
    created_at        TEXT    NOT NULL,
    updated_at        TEXT    NOT NULL,
    deleted_at        TEXT
);
CREATE UNIQUE INDEX accounts_credit_code ON accounts (credit_code) WHERE credit_code <> '' AND deleted_at IS NULL;
CREATE INDEX accounts_owner_name ON accounts (owner_id, name, id) WHERE deleted_at IS NULL;
CREATE INDEX accounts_name ON accounts (name, id) WHERE deleted_at IS NULL;
CREATE INDEX accounts_updated ON accounts (updated_at, id) WHERE deleted_at IS NULL;

CREATE TABLE contacts (
    id              INTEGER PRIMARY KEY,
    version         INTEGER NOT NULL DEFAULT 1,
    account_id      INTEGER NOT NULL REFERENCES accounts (id),
    name            TEXT    NOT NULL,
    title           TEXT    NOT NULL DEFAULT '',
    functional_role TEXT    NOT NULL DEFAULT 'other',
    phone           TEXT    NOT NULL DEFAULT '',
    email           TEXT    NOT NULL DEFAULT '',
    wechat          TEXT    NOT NULL DEFAULT '',
    notes           TEXT    NOT NULL DEFAULT '',
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    deleted_at      TEXT
);
CREATE INDEX contacts_account ON contacts (account_id, name, id) WHERE deleted_at IS NULL;
CREATE INDEX contacts_name ON contacts (name, id) WHERE deleted_at IS NULL;

CREATE TABLE deals (
    id                  INTEGER PRIMARY KEY,
    version             INTEGER NOT NULL DEFAULT 1,
    account_id          INTEGER NOT NULL REFERENCES accounts (id),
    owner_id            INTEGER NOT NULL REFERENCES users (id),
    title               TEXT    NOT NULL,
    stage               TEXT    NOT NULL,
    amount              INTEGER NOT NULL DEFAULT 0,
    expected_close_date TEXT,
    probability         INTEGER NOT NULL DEFAULT 0,
    next_step           TEXT    NOT NULL DEFAULT '',
    lost_reason         TEXT    NOT NULL DEFAULT '',
    stage_changed_at    TEXT    NOT NULL,
    created_at          TEXT    NOT NULL,
    updated_at          TEXT    NOT NULL,
    deleted_at          TEXT
);
CREATE INDEX deals_account ON deals (account_id) WHERE deleted_at IS NULL;
CREATE INDEX deals_owner_stage ON deals (owner_id, stage) WHERE deleted_at IS NULL;
CREATE INDEX deals_stage_close ON deals (stage, (COALESCE(expected_close_date, '9999-12-31')), id) WHERE deleted_at IS NULL;
CREATE INDEX deals_close ON deals ((COALESCE(expected_close_date, '9999-12-31')), id) WHERE deleted_at IS NULL;
CREATE INDEX deals_updated ON deals (updated_at, id) WHERE deleted_at IS NULL;

CREATE TABLE deal_contacts (
    deal_id         INTEGER NOT NULL REFERENCES deals (id),
    contact_id      INTEGER NOT NULL REFERENCES contacts (id),
    version         INTEGER NOT NULL DEFAULT 1,
    buying_role     TEXT    NOT NULL,
    stance          TEXT    NOT NULL,
    engagement_step TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    PRIMARY KEY (deal_id, contact_id)
);
CREATE INDEX deal_contacts_contact ON deal_contacts (contact_id);

CREATE TABLE activities (
    id         INTEGER PRIMARY KEY,
    version    INTEGER NOT NULL DEFAULT 1,
    type       TEXT    NOT NULL,
    subject    TEXT    NOT NULL,
    due_at     TEXT,
    done_at    TEXT,
    deal_id    INTEGER REFERENCES deals (id),
    account_id INTEGER REFERENCES accounts (id),
    contact_id INTEGER REFERENCES contacts (id),
    notes      TEXT    NOT NULL DEFAULT '',
    owner_id   INTEGER NOT NULL REFERENCES users (id),
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL,
    deleted_at TEXT
);
CREATE INDEX activities_owner_due ON activities (owner_id, (COALESCE(due_at, '9999-12-31T00:00:00.000000Z')), id) WHERE deleted_at IS NULL;
CREATE INDEX activities_due ON activities ((COALESCE(due_at, '9999-12-31T00:00:00.000000Z')), id) WHERE deleted_at IS NULL;
CREATE INDEX activities_deal ON activities (deal_id) WHERE deleted_at IS NULL;
CREATE INDEX activities_account ON activities (account_id) WHERE deleted_at IS NULL;
CREATE INDEX activities_contact ON activities (contact_id) WHERE deleted_at IS NULL;

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    actor_id    INTEGER,
    entity_type TEXT    NOT NULL,
    entity_id   INTEGER NOT NULL,
    action      TEXT    NOT NULL,
    before_json TEXT    NOT NULL DEFAULT '',
    after_json  TEXT    NOT NULL DEFAULT '',
    reason      TEXT    NOT NULL DEFAULT '',
    created_at  TEXT    NOT NULL
);
CREATE INDEX audit_entity ON audit_log (entity_type, entity_id, id);
