-- The deal desk (PLAYBOOK.md §4 credit authorization, §5): each user's
-- authority, the price book, quotes with their lines, and approval
-- requests, which serve quotes now and contracts later.
-- Money is INTEGER fen; discounts are basis points (1 bp = 0.01 %).

-- What a user may grant without asking anyone: the largest line discount,
-- the longest payment term and the largest amount on credit.
ALTER TABLE users ADD COLUMN max_discount_bp INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN credit_days INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN credit_amount INTEGER NOT NULL DEFAULT 0;
-- Admins are where every approval ends up when no manager may decide it,
-- so they start with full authority (crm.FullAuthority).
UPDATE users SET max_discount_bp = 10000, credit_days = 3650, credit_amount = 1000000000000000 WHERE role = 'admin';

CREATE TABLE products (
    id         INTEGER PRIMARY KEY,
    version    INTEGER NOT NULL DEFAULT 1,
    code       TEXT    NOT NULL,
    name_zh    TEXT    NOT NULL,
    name_en    TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    unit       TEXT    NOT NULL,
    list_price INTEGER NOT NULL,
    active     INTEGER NOT NULL DEFAULT 1,
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL
);
CREATE UNIQUE INDEX products_code ON products (code);
CREATE INDEX products_active_code ON products (active, code, id);

-- A quote's lines copy the product's code, names, unit and list price, so
-- that a later change of the price book never alters a quote.
CREATE TABLE quotes (
    id               INTEGER PRIMARY KEY,
    version          INTEGER NOT NULL DEFAULT 1,
    deal_id          INTEGER NOT NULL REFERENCES deals (id),
    number           TEXT    NOT NULL DEFAULT '',
    revision         INTEGER NOT NULL DEFAULT 1,
    revised_from     INTEGER REFERENCES quotes (id),
    superseded_by    INTEGER REFERENCES quotes (id),
    state            TEXT    NOT NULL,
    valid_until      TEXT    NOT NULL,
    payment_days     INTEGER NOT NULL DEFAULT 0,
    notes            TEXT    NOT NULL DEFAULT '',
    list_total       INTEGER NOT NULL,
    discount_total   INTEGER NOT NULL,
    total            INTEGER NOT NULL,
    max_discount_bp  INTEGER NOT NULL,
    approval_id      INTEGER,
    created_by       INTEGER NOT NULL REFERENCES users (id),
    state_changed_at TEXT    NOT NULL,
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL
);
CREATE INDEX quotes_deal ON quotes (deal_id, id);
CREATE INDEX quotes_created ON quotes (created_at, id);
-- A quote is revised at most once: its revisions form one line, never a tree.
CREATE UNIQUE INDEX quotes_revised_from ON quotes (revised_from) WHERE revised_from IS NOT NULL;

CREATE TABLE quote_lines (
    quote_id        INTEGER NOT NULL REFERENCES quotes (id),
    position        INTEGER NOT NULL,
    product_id      INTEGER NOT NULL REFERENCES products (id),
    product_code    TEXT    NOT NULL,
    name_zh         TEXT    NOT NULL,
    name_en         TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    unit            TEXT    NOT NULL,
    quantity        INTEGER NOT NULL,
    unit_price      INTEGER NOT NULL,
    discount_bp     INTEGER NOT NULL,
    list_amount     INTEGER NOT NULL,
    discount_amount INTEGER NOT NULL,
    total           INTEGER NOT NULL,
    PRIMARY KEY (quote_id, position)
);

-- An approval request is about one subject: a quote (kind 'quote') or,
-- later, a contract. The subject's table carries state, version,
-- updated_at, state_changed_at and approval_id (crm.ApprovalStore).
CREATE TABLE approvals (
    id           INTEGER PRIMARY KEY,
    version      INTEGER NOT NULL DEFAULT 1,
    kind         TEXT    NOT NULL CHECK (kind IN ('quote', 'contract')),
    subject_id   INTEGER NOT NULL,
    deal_id      INTEGER NOT NULL REFERENCES deals (id),
    requested_by INTEGER NOT NULL REFERENCES users (id),
    assigned_to  INTEGER NOT NULL REFERENCES users (id),
    status       TEXT    NOT NULL,
    reasons      TEXT    NOT NULL,
    comment      TEXT    NOT NULL DEFAULT '',
    decided_by   INTEGER REFERENCES users (id),
    decided_at   TEXT,
    task_id      INTEGER REFERENCES activities (id),
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL
);
CREATE INDEX approvals_assigned ON approvals (assigned_to, created_at, id);
CREATE INDEX approvals_created ON approvals (created_at, id);
CREATE INDEX approvals_subject ON approvals (kind, subject_id);
-- At most one open request per subject.
CREATE UNIQUE INDEX approvals_pending ON approvals (kind, subject_id) WHERE status = 'pending';
