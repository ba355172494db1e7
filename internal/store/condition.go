package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
)

// Conditions returns the purchase conditions of a deal that were ever set,
// by key.
func (db *DB) Conditions(ctx context.Context, dealID int64) ([]*crm.PurchaseCondition, error) {
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT condition_key, version, met, evidence, updated_by, updated_at
		FROM deal_conditions WHERE deal_id = ? ORDER BY condition_key`), dealID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*crm.PurchaseCondition{}
	for rows.Next() {
		c := &crm.PurchaseCondition{}
		var updatedAt time.Time
		if err := rows.Scan(&c.Key, &c.Version, &c.Met, &c.Evidence, nullInt64Col{&c.UpdatedBy}, timeCol{&updatedAt}); err != nil {
			return nil, err
		}
		c.UpdatedAt = &updatedAt
		out = append(out, c)
	}
	return out, rows.Err()
}

// SaveConditions writes the changed conditions of a live deal and their
// audit rows in one transaction. Each must still be at its expected version
// (0: never set); one that is not makes the whole call a conflict that
// writes nothing. On success each condition carries its new version.
func (db *DB) SaveConditions(ctx context.Context, dealID int64, changes []crm.ConditionChange) error {
	for _, ch := range changes {
		if ch.Condition == nil || ch.Condition.UpdatedAt == nil {
			return errors.New("store: condition change without condition or updated_at")
		}
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := db.liveDealAccount(ctx, tx, dealID); err != nil {
			return err
		}
		for _, ch := range changes {
			c := ch.Condition
			if ch.ExpectVersion == 0 {
				_, err := tx.ExecContext(ctx, db.q(`INSERT INTO deal_conditions (deal_id, condition_key, version, met, evidence,
					updated_by, updated_at) VALUES (?, ?, 1, ?, ?, ?, ?)`),
					dealID, c.Key, c.Met, c.Evidence, int64p(c.UpdatedBy), db.t(*c.UpdatedAt))
				if isUniqueViolation(err) {
					return crm.Conflict()
				}
				if err != nil {
					return err
				}
			} else {
				res, err := tx.ExecContext(ctx, db.q(`UPDATE deal_conditions SET version = version + 1, met = ?, evidence = ?,
					updated_by = ?, updated_at = ? WHERE deal_id = ? AND condition_key = ? AND version = ?`),
					c.Met, c.Evidence, int64p(c.UpdatedBy), db.t(*c.UpdatedAt), dealID, c.Key, ch.ExpectVersion)
				if err != nil {
					return err
				}
				n, err := res.RowsAffected()
				if err != nil {
					return err
				}
				if n != 1 {
					return crm.Conflict()
				}
			}
			if err := db.insertAudit(ctx, tx, ch.Audit); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, ch := range changes {
		ch.Condition.Version = ch.ExpectVersion + 1
	}
	return nil
}
