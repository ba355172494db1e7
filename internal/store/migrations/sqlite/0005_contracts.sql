-- Contracts, their payment milestones and the payments received against
-- them, and the implementation project a signed contract opens
-- (PLAYBOOK.md §5.5, §5.9–5.11, §7). Money is INTEGER fen.

-- A contract is made from an accepted quote. It carries the columns an
-- approval subject needs (crm.ApprovalStore): state, version,
-- state_changed_at, updated_at and approval_id.
CREATE TABLE contracts (
    id               INTEGER PRIMARY KEY,
    version          INTEGER NOT NULL DEFAULT 1,
    deal_id          INTEGER NOT NULL REFERENCES deals (id),
    quote_id         INTEGER NOT NULL REFERENCES quotes (id),
    number           TEXT    NOT NULL DEFAULT '',
    kind             TEXT    NOT NULL,
    state            TEXT    NOT NULL,
    party_ours       TEXT    NOT NULL,
    party_customer   TEXT    NOT NULL,
    amount           INTEGER NOT NULL,
    payment_method   TEXT    NOT NULL,
    payment_days     INTEGER NOT NULL DEFAULT 0,
    start_on         TEXT,
    end_on           TEXT,
    signed_on        TEXT,
    converted_from   INTEGER REFERENCES contracts (id),
    approval_id      INTEGER,
    created_by       INTEGER NOT NULL REFERENCES users (id),
    state_changed_at TEXT    NOT NULL,
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL
);
CREATE INDEX contracts_deal ON contracts (deal_id, id);
CREATE INDEX contracts_state ON contracts (state, id);

-- A milestone's paid amount never exceeds its amount: the payment's
-- conditional UPDATE and this check keep two clerks from double-counting.
CREATE TABLE contract_milestones (
    id          INTEGER PRIMARY KEY,
    version     INTEGER NOT NULL DEFAULT 1,
    contract_id INTEGER NOT NULL REFERENCES contracts (id),
    position    INTEGER NOT NULL,
    name        TEXT    NOT NULL,
    percent     INTEGER,
    amount      INTEGER NOT NULL,
    paid        INTEGER NOT NULL DEFAULT 0 CHECK (paid >= 0 AND paid <= amount),
    trigger_on  TEXT    NOT NULL,
    due_on      TEXT,
    updated_at  TEXT    NOT NULL
);
CREATE UNIQUE INDEX contract_milestones_position ON contract_milestones (contract_id, position);
CREATE INDEX contract_milestones_due ON contract_milestones (due_on, id);

CREATE TABLE payments (
    id           INTEGER PRIMARY KEY,
    contract_id  INTEGER NOT NULL REFERENCES contracts (id),
    milestone_id INTEGER NOT NULL REFERENCES contract_milestones (id),
    amount       INTEGER NOT NULL CHECK (amount > 0),
    received_on  TEXT    NOT NULL,
    method       TEXT    NOT NULL,
    notes        TEXT    NOT NULL DEFAULT '',
    recorded_by  INTEGER NOT NULL REFERENCES users (id),
    created_at   TEXT    NOT NULL
);
CREATE INDEX payments_contract ON payments (contract_id, id);

-- The project of a signed sale contract; its steps (the playbook's
-- implementation checklist) are kept as JSON.
CREATE TABLE projects (
    id          INTEGER PRIMARY KEY,
    version     INTEGER NOT NULL DEFAULT 1,
    deal_id     INTEGER NOT NULL REFERENCES deals (id),
    contract_id INTEGER NOT NULL REFERENCES contracts (id),
    name        TEXT    NOT NULL,
    state       TEXT    NOT NULL,
    steps       TEXT    NOT NULL,
    notes       TEXT    NOT NULL DEFAULT '',
    go_live_on  TEXT,
    opened_at   TEXT    NOT NULL,
    closed_at   TEXT,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
);
CREATE UNIQUE INDEX projects_contract ON projects (contract_id);
CREATE INDEX projects_deal ON projects (deal_id, id);

CREATE TABLE project_tasks (
    id         INTEGER PRIMARY KEY,
    version    INTEGER NOT NULL DEFAULT 1,
    project_id INTEGER NOT NULL REFERENCES projects (id),
    title      TEXT    NOT NULL,
    owner_id   INTEGER NOT NULL REFERENCES users (id),
    due_on     TEXT,
    done       INTEGER NOT NULL DEFAULT 0,
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL
);
CREATE INDEX project_tasks_project ON project_tasks (project_id, id);
