package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/dealpath/dealpath/internal/crm"
)

// liveDealAccount returns, inside the writing transaction, the account of a
// live deal, and locks the deal against a concurrent delete until the
// transaction ends (see requireLive): a record of a deal never outlives it.
func (db *DB) liveDealAccount(ctx context.Context, tx *sql.Tx, dealID int64) (int64, error) {
	var accountID int64
	err := tx.QueryRowContext(ctx, db.q("SELECT account_id FROM deals WHERE id = ? AND deleted_at IS NULL"+db.forShare("")), dealID).Scan(&accountID)
	if err != nil {
		return 0, notFound(err, "deal")
	}
	return accountID, nil
}

// requireAccountContact checks, inside the writing transaction, that a
// contact is live and belongs to the account; anything else is invalid
// input on field. The service checks the same first; this keeps a deal from
// ever naming another company's people, even when the contact moves or goes
// concurrently.
func (db *DB) requireAccountContact(ctx context.Context, tx *sql.Tx, contactID, accountID int64, field string) error {
	var got int64
	err := tx.QueryRowContext(ctx, db.q("SELECT id FROM contacts WHERE id = ? AND account_id = ? AND deleted_at IS NULL"+db.forShare("")),
		contactID, accountID).Scan(&got)
	if errors.Is(err, sql.ErrNoRows) {
		return &crm.Error{Code: crm.EINVALID, Message: crm.Msg("error.invalid"), Fields: map[string]crm.Message{field: crm.Msg("field.contact_not_of_account")}}
	}
	return err
}

const eventCols = `id, deal_id, code, title, impact, confirmed_by_contact_id, created_by, created_at`

// AddEvent records a compelling event on a live deal, with its audit row,
// in one transaction, and sets its id.
func (db *DB) AddEvent(ctx context.Context, e *crm.CompellingEvent, audit *crm.AuditEntry) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		accountID, err := db.liveDealAccount(ctx, tx, e.DealID)
		if err != nil {
			return err
		}
		if e.ConfirmedByContactID != nil {
			if err := db.requireAccountContact(ctx, tx, *e.ConfirmedByContactID, accountID, "confirmed_by_contact_id"); err != nil {
				return err
			}
		}
		err = tx.QueryRowContext(ctx, db.q(`INSERT INTO deal_events (deal_id, code, title, impact, confirmed_by_contact_id, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`),
			e.DealID, e.Code, e.Title, e.Impact, int64p(e.ConfirmedByContactID), e.CreatedBy, db.t(e.CreatedAt)).Scan(&e.ID)
		if err != nil {
			return err
		}
		return db.insertAudit(ctx, tx, audit)
	})
}

// DealEvents returns the compelling events of a deal in the order they
// were recorded.
func (db *DB) DealEvents(ctx context.Context, dealID int64) ([]*crm.CompellingEvent, error) {
	rows, err := db.read.QueryContext(ctx, db.q("SELECT "+eventCols+" FROM deal_events WHERE deal_id = ? ORDER BY id"), dealID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*crm.CompellingEvent{}
	for rows.Next() {
		e := &crm.CompellingEvent{}
		if err := rows.Scan(&e.ID, &e.DealID, &e.Code, &e.Title, &e.Impact, nullInt64Col{&e.ConfirmedByContactID},
			&e.CreatedBy, timeCol{&e.CreatedAt}); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// DeleteEvent removes a compelling event of a deal and writes its audit
// row in the same transaction. The row is deleted: an event has no history
// of its own beyond the audit log.
func (db *DB) DeleteEvent(ctx context.Context, dealID, id int64, audit *crm.AuditEntry) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.q("DELETE FROM deal_events WHERE id = ? AND deal_id = ?"), id, dealID)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			return crm.NotFound("compelling_event")
		}
		return db.insertAudit(ctx, tx, audit)
	})
}
