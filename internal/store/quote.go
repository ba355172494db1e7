package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/dealpath/dealpath/internal/crm"
)

// A quote has no owner of its own: it belongs to its deal, so every read
// carries the deal's owner and their team, and a quote of a deleted deal is
// gone with it.
const quoteCols = `q.id, q.version, q.deal_id, d.owner_id, q.number, q.revision, q.revised_from, q.superseded_by, q.state,
	q.valid_until, q.payment_days, q.notes, q.list_total, q.discount_total, q.total, q.max_discount_bp, q.approval_id,
	q.created_by, q.state_changed_at, q.created_at, q.updated_at, COALESCE(u.team_id, 0)`

const quoteFrom = `quotes q JOIN deals d ON d.id = q.deal_id JOIN users u ON u.id = d.owner_id`

func scanQuote(s interface{ Scan(...any) error }, extra ...any) (*crm.Quote, error) {
	q := &crm.Quote{Lines: []crm.QuoteLine{}}
	dest := []any{&q.ID, &q.Version, &q.DealID, &q.OwnerID, &q.Number, &q.Revision, nullInt64Col{&q.RevisedFrom}, nullInt64Col{&q.SupersededBy},
		&q.State, &q.ValidUntil, &q.PaymentDays, &q.Notes, &q.ListTotal, &q.DiscountTotal, &q.Total, &q.MaxDiscountBP,
		nullInt64Col{&q.ApprovalID}, &q.CreatedBy, timeCol{&q.StateChangedAt}, timeCol{&q.CreatedAt}, timeCol{&q.UpdatedAt},
		&q.OwnerTeamID}
	if err := s.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	return q, nil
}

// quoteNumber names a quote and its revisions after the id of the first.
func quoteNumber(id int64) string { return fmt.Sprintf("Q%06d", id) }

// CreateQuote inserts a quote and its lines on a live deal, in one
// transaction, and sets its id, its number (for a first revision, one
// without a number) and the deal owner's fields.
func (db *DB) CreateQuote(ctx context.Context, q *crm.Quote) error {
	return db.inTx(ctx, func(tx *sql.Tx) error { return db.insertQuote(ctx, tx, q) })
}

func (db *DB) insertQuote(ctx context.Context, tx *sql.Tx, q *crm.Quote) error {
	if _, err := db.liveDealAccount(ctx, tx, q.DealID); err != nil {
		return err
	}
	err := tx.QueryRowContext(ctx, db.q(`INSERT INTO quotes (version, deal_id, number, revision, revised_from, superseded_by, state,
		valid_until, payment_days, notes, list_total, discount_total, total, max_discount_bp, approval_id, created_by,
		state_changed_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		q.Version, q.DealID, q.Number, q.Revision, int64p(q.RevisedFrom), int64p(q.SupersededBy), q.State,
		q.ValidUntil.String(), q.PaymentDays, q.Notes, q.ListTotal, q.DiscountTotal, q.Total, q.MaxDiscountBP, int64p(q.ApprovalID),
		q.CreatedBy, db.t(q.StateChangedAt), db.t(q.CreatedAt), db.t(q.UpdatedAt)).Scan(&q.ID)
	if isUniqueViolation(err) {
		return crm.Conflict() // the quote it revises was revised meanwhile
	}
	if err != nil {
		return err
	}
	if q.Number == "" {
		q.Number = quoteNumber(q.ID)
		if _, err := tx.ExecContext(ctx, db.q("UPDATE quotes SET number = ? WHERE id = ?"), q.Number, q.ID); err != nil {
			return err
		}
	}
	if err := db.insertQuoteLines(ctx, tx, q); err != nil {
		return err
	}
	return tx.QueryRowContext(ctx, db.q("SELECT d.owner_id, COALESCE(u.team_id, 0) FROM deals d JOIN users u ON u.id = d.owner_id WHERE d.id = ?"),
		q.DealID).Scan(&q.OwnerID, &q.OwnerTeamID)
}

func (db *DB) insertQuoteLines(ctx context.Context, tx *sql.Tx, q *crm.Quote) error {
	for i, l := range q.Lines {
		_, err := tx.ExecContext(ctx, db.q(`INSERT INTO quote_lines (quote_id, position, product_id, product_code, name_zh, name_en,
			kind, unit, quantity, unit_price, discount_bp, list_amount, discount_amount, total)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			q.ID, i, l.ProductID, l.ProductCode, l.ProductName.ZH, l.ProductName.EN, l.Kind, l.Unit, l.Quantity, l.UnitPrice,
			l.DiscountBP, l.ListAmount, l.DiscountAmount, l.Total)
		if isForeignKeyViolation(err) {
			return unknownRef(fmt.Sprintf("lines.%d.product_id", i))
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// loadQuoteLines fills in the lines of quotes, in the order written.
func (db *DB) loadQuoteLines(ctx context.Context, c querier, quotes []*crm.Quote) error {
	if len(quotes) == 0 {
		return nil
	}
	byID := make(map[int64]*crm.Quote, len(quotes))
	args := make([]any, len(quotes))
	for i, q := range quotes {
		byID[q.ID] = q
		args[i] = q.ID
	}
	rows, err := c.QueryContext(ctx, db.q(`SELECT quote_id, product_id, product_code, name_zh, name_en, kind, unit, quantity, unit_price,
		discount_bp, list_amount, discount_amount, total FROM quote_lines WHERE quote_id IN (`+placeholders(len(quotes))+`)
		ORDER BY quote_id, position`), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var l crm.QuoteLine
		if err := rows.Scan(&id, &l.ProductID, &l.ProductCode, &l.ProductName.ZH, &l.ProductName.EN, &l.Kind, &l.Unit, &l.Quantity,
			&l.UnitPrice, &l.DiscountBP, &l.ListAmount, &l.DiscountAmount, &l.Total); err != nil {
			return err
		}
		if q := byID[id]; q != nil {
			q.Lines = append(q.Lines, l)
		}
	}
	return rows.Err()
}

// QuoteByID returns a quote of a live deal with its lines. The quote and
// its lines are read in one transaction, so that a draft rewritten
// meanwhile never reads half old, half new.
func (db *DB) QuoteByID(ctx context.Context, id int64) (*crm.Quote, error) {
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() //nolint:errcheck // read-only; nothing to undo
	q, err := scanQuote(tx.QueryRowContext(ctx, db.q("SELECT "+quoteCols+" FROM "+quoteFrom+" WHERE q.id = ? AND d.deleted_at IS NULL"), id))
	if err != nil {
		return nil, notFound(err, "quote")
	}
	if err := db.loadQuoteLines(ctx, tx, []*crm.Quote{q}); err != nil {
		return nil, err
	}
	return q, nil
}

var quoteSorts = map[string]sortSpec{
	"created_at":  timeSort("q.created_at"),
	"updated_at":  timeSort("q.updated_at"),
	"number":      textSort("q.number"),
	"total":       intSort("q.total"),
	"valid_until": {"q.valid_until", "q.valid_until", 'd'},
}

// ListQuotes returns one page of the quotes of live deals, newest first
// unless sorted otherwise, each with its lines.
func (db *DB) ListQuotes(ctx context.Context, f crm.QuoteFilter) (*crm.Page[*crm.Quote], error) {
	lq := &listQuery{cols: quoteCols, from: quoteFrom, idCol: "q.id", sorts: quoteSorts, defSrt: "-created_at"}
	lq.and("d.deleted_at IS NULL")
	lq.scope("d.owner_id", f.Scope)
	if f.DealID != nil {
		lq.and("q.deal_id = ?", *f.DealID)
	}
	if f.OwnerID != nil {
		lq.and("d.owner_id = ?", *f.OwnerID)
	}
	if f.State != "" {
		lq.and("q.state = ?", f.State)
	}
	if f.UpdatedSince != nil {
		lq.and("q.updated_at >= ?", db.t(*f.UpdatedSince))
	}
	lq.search("q.number", f.Q)
	page := &crm.Page[*crm.Quote]{Items: []*crm.Quote{}}
	next, total, err := db.run(ctx, lq, f.ListParams, func(rows *sql.Rows, key *any) (int64, error) {
		q, err := scanQuote(rows, key)
		if err != nil {
			return 0, err
		}
		page.Items = append(page.Items, q)
		return q.ID, nil
	})
	if err != nil {
		return nil, err
	}
	// Lines are read after the page. Only a draft's lines ever change,
	// and a draft changes with its version: a client that cares sees the
	// version move.
	if err := db.loadQuoteLines(ctx, db.read, page.Items); err != nil {
		return nil, err
	}
	page.NextCursor, page.Total = next, total
	return page, nil
}

// UpdateDraft writes a draft's fields and replaces its lines, if it is still
// a current draft at expectVersion on a live deal.
func (db *DB) UpdateDraft(ctx context.Context, q *crm.Quote, expectVersion int64) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := db.liveDealAccount(ctx, tx, q.DealID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, db.q(`UPDATE quotes SET version = version + 1, valid_until = ?, payment_days = ?, notes = ?,
			list_total = ?, discount_total = ?, total = ?, max_discount_bp = ?, updated_at = ?
			WHERE id = ? AND version = ? AND state = ? AND superseded_by IS NULL`),
			q.ValidUntil.String(), q.PaymentDays, q.Notes, q.ListTotal, q.DiscountTotal, q.Total, q.MaxDiscountBP, db.t(q.UpdatedAt),
			q.ID, expectVersion, crm.QuoteDraft)
		if err != nil {
			return err
		}
		if err := db.rowMiss(ctx, tx, res, "SELECT COUNT(*) FROM quotes WHERE id = ?", "quote", q.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.q("DELETE FROM quote_lines WHERE quote_id = ?"), q.ID); err != nil {
			return err
		}
		return db.insertQuoteLines(ctx, tx, q)
	})
	if err != nil {
		return err
	}
	q.Version = expectVersion + 1
	return nil
}

// ReviseQuote inserts rev, the next revision of old, and marks old
// superseded by it, if old is still current at expectVersion; with the
// audit rows, in one transaction. Audit rows about the new revision
// (entity "quote", EntityID 0) get its id. Of two revisions of the same
// quote at once, one wins and the other is a conflict: the versioned
// UPDATE and the unique index on revised_from each guarantee it.
func (db *DB) ReviseQuote(ctx context.Context, old *crm.Quote, expectVersion int64, rev *crm.Quote, audits []*crm.AuditEntry) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.insertQuote(ctx, tx, rev); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, db.q(`UPDATE quotes SET version = version + 1, superseded_by = ?, updated_at = ?
			WHERE id = ? AND version = ? AND superseded_by IS NULL`), rev.ID, db.t(rev.CreatedAt), old.ID, expectVersion)
		if err != nil {
			return err
		}
		if err := db.rowMiss(ctx, tx, res, "SELECT COUNT(*) FROM quotes WHERE id = ?", "quote", old.ID); err != nil {
			return err
		}
		for _, a := range audits {
			if a.EntityType == "quote" && a.EntityID == 0 {
				a.EntityID = rev.ID
			}
			if err := db.insertAudit(ctx, tx, a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	old.Version, old.SupersededBy = expectVersion+1, &rev.ID
	return nil
}

// DealQuoteStates returns the states of a deal's current quotes: those no
// revision has superseded.
func (db *DB) DealQuoteStates(ctx context.Context, dealID int64) ([]string, error) {
	out := []string{}
	err := db.eachRow(ctx, "SELECT state FROM quotes WHERE deal_id = ? AND superseded_by IS NULL ORDER BY id", dealID, func(rows *sql.Rows) error {
		var st string
		if err := rows.Scan(&st); err != nil {
			return err
		}
		out = append(out, st)
		return nil
	})
	return out, err
}
