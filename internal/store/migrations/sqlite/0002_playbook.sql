-- The playbook engine: stored fit of accounts, and the records that qualify
-- a deal (compelling events, questionnaire and budget, demos with ROI,
-- competitors, purchase conditions), plus what health needs on deals.

ALTER TABLE accounts ADD COLUMN fit_score INTEGER;
ALTER TABLE accounts ADD COLUMN fit_grade TEXT NOT NULL DEFAULT '';
CREATE INDEX accounts_grade ON accounts (fit_grade, name, id) WHERE deleted_at IS NULL;
CREATE INDEX accounts_score ON accounts ((COALESCE(fit_score, -1)), id) WHERE deleted_at IS NULL;

ALTER TABLE deals ADD COLUMN close_date_slips INTEGER NOT NULL DEFAULT 0;
ALTER TABLE deals ADD COLUMN no_competitors INTEGER NOT NULL DEFAULT 0;

-- settings holds small facts about the installation, such as the
-- fingerprint of the playbook the stored grades were computed with.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE deal_events (
    id                      INTEGER PRIMARY KEY,
    deal_id                 INTEGER NOT NULL REFERENCES deals (id),
    code                    TEXT    NOT NULL,
    title                   TEXT    NOT NULL DEFAULT '',
    impact                  TEXT    NOT NULL DEFAULT '',
    confirmed_by_contact_id INTEGER REFERENCES contacts (id),
    created_by              INTEGER NOT NULL REFERENCES users (id),
    created_at              TEXT    NOT NULL
);
CREATE INDEX deal_events_deal ON deal_events (deal_id, id);

CREATE TABLE deal_qualifications (
    deal_id                 INTEGER PRIMARY KEY REFERENCES deals (id),
    version                 INTEGER NOT NULL DEFAULT 1,
    budget_amount           INTEGER,
    budget_flexibility      TEXT    NOT NULL DEFAULT '',
    budget_basis            TEXT    NOT NULL DEFAULT '',
    budget_approval_process TEXT    NOT NULL DEFAULT '',
    persuasion_plan         TEXT    NOT NULL DEFAULT '',
    updated_by              INTEGER REFERENCES users (id),
    updated_at              TEXT    NOT NULL
);

CREATE TABLE deal_answers (
    deal_id      INTEGER NOT NULL REFERENCES deals (id),
    question_key TEXT    NOT NULL,
    answer       TEXT    NOT NULL,
    PRIMARY KEY (deal_id, question_key)
);

CREATE TABLE demos (
    id         INTEGER PRIMARY KEY,
    deal_id    INTEGER NOT NULL REFERENCES deals (id),
    version    INTEGER NOT NULL DEFAULT 1,
    held_on    TEXT    NOT NULL,
    prep       TEXT    NOT NULL DEFAULT '',
    story      TEXT    NOT NULL DEFAULT '',
    feedback   TEXT    NOT NULL DEFAULT '',
    next_step  TEXT    NOT NULL DEFAULT '',
    created_by INTEGER NOT NULL REFERENCES users (id),
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL
);
CREATE INDEX demos_deal ON demos (deal_id, held_on);

CREATE TABLE demo_attendees (
    demo_id    INTEGER NOT NULL REFERENCES demos (id),
    contact_id INTEGER NOT NULL REFERENCES contacts (id),
    role       TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (demo_id, contact_id)
);

CREATE TABLE demo_roi_lines (
    demo_id  INTEGER NOT NULL REFERENCES demos (id),
    position INTEGER NOT NULL,
    kind     TEXT    NOT NULL,
    category TEXT    NOT NULL DEFAULT '',
    amount   INTEGER NOT NULL,
    PRIMARY KEY (demo_id, position)
);

CREATE TABLE deal_competitors (
    id         INTEGER PRIMARY KEY,
    deal_id    INTEGER NOT NULL REFERENCES deals (id),
    version    INTEGER NOT NULL DEFAULT 1,
    name       TEXT    NOT NULL,
    strengths  TEXT    NOT NULL DEFAULT '',
    weaknesses TEXT    NOT NULL DEFAULT '',
    status     TEXT    NOT NULL DEFAULT 'active',
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL
);
CREATE INDEX deal_competitors_deal ON deal_competitors (deal_id, id);

CREATE TABLE deal_conditions (
    deal_id       INTEGER NOT NULL REFERENCES deals (id),
    condition_key TEXT    NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1,
    met           INTEGER NOT NULL DEFAULT 0,
    evidence      TEXT    NOT NULL DEFAULT '',
    updated_by    INTEGER REFERENCES users (id),
    updated_at    TEXT    NOT NULL,
    PRIMARY KEY (deal_id, condition_key)
);
