-- The deal desk's lists, newest first by default, are served from an index
-- in order; receivables, earliest due first with the undated last, from
-- one on the same expression the list sorts by.
CREATE INDEX contracts_created ON contracts (created_at, id);
CREATE INDEX projects_created ON projects (created_at, id);
CREATE INDEX contract_milestones_due_last ON contract_milestones (COALESCE(due_on, '9999-12-31'), id);

-- A quote has at most one live contract: a second one, even from two
-- requests at the same instant, is a unique violation the store reports
-- as a conflict on quote_id. Cancelled and rejected contracts are dead; a
-- completed trial is the one a sale contract was converted from.
CREATE UNIQUE INDEX contracts_live_quote ON contracts (quote_id)
    WHERE state NOT IN ('cancelled', 'rejected') AND NOT (kind = 'trial' AND state = 'completed');
