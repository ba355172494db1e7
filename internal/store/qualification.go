package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
)

// Qualification returns a deal's questionnaire and budget; a deal never
// qualified reads as version 0 with nothing answered. One statement reads
// both tables, so the answers always belong to the version returned.
func (db *DB) Qualification(ctx context.Context, dealID int64) (*crm.Qualification, error) {
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT q.version, q.budget_amount, q.budget_flexibility, q.budget_basis,
		q.budget_approval_process, q.persuasion_plan, q.updated_by, q.updated_at, a.question_key, a.answer
		FROM deal_qualifications q LEFT JOIN deal_answers a ON a.deal_id = q.deal_id
		WHERE q.deal_id = ? ORDER BY a.question_key`), dealID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	q := &crm.Qualification{DealID: dealID, Answers: map[string]string{}}
	for rows.Next() {
		var key, answer sql.NullString
		var updatedAt time.Time
		if err := rows.Scan(&q.Version, nullInt64Col{&q.Budget.Amount}, &q.Budget.Flexibility, &q.Budget.Basis,
			&q.Budget.ApprovalProcess, &q.Budget.PersuasionPlan, nullInt64Col{&q.UpdatedBy}, timeCol{&updatedAt},
			&key, &answer); err != nil {
			return nil, err
		}
		q.UpdatedAt = &updatedAt
		if key.Valid {
			q.Answers[key.String] = answer.String
		}
	}
	return q, rows.Err()
}

// SaveQualification replaces a deal's questionnaire (the qualification row
// and all its answers) in one transaction, when the stored version is still
// expectVersion: 0 means the deal was never qualified. A stale version is a
// conflict and changes nothing. It sets q.Version.
func (db *DB) SaveQualification(ctx context.Context, q *crm.Qualification, expectVersion int64) error {
	if q.UpdatedAt == nil {
		return errors.New("store: qualification without updated_at")
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := db.liveDealAccount(ctx, tx, q.DealID); err != nil {
			return err
		}
		b := q.Budget
		if expectVersion == 0 {
			_, err := tx.ExecContext(ctx, db.q(`INSERT INTO deal_qualifications (deal_id, version, budget_amount, budget_flexibility,
				budget_basis, budget_approval_process, persuasion_plan, updated_by, updated_at)
				VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?)`),
				q.DealID, int64p(b.Amount), b.Flexibility, b.Basis, b.ApprovalProcess, b.PersuasionPlan, int64p(q.UpdatedBy), db.t(*q.UpdatedAt))
			if isUniqueViolation(err) {
				return crm.Conflict()
			}
			if err != nil {
				return err
			}
		} else {
			res, err := tx.ExecContext(ctx, db.q(`UPDATE deal_qualifications SET version = version + 1, budget_amount = ?,
				budget_flexibility = ?, budget_basis = ?, budget_approval_process = ?, persuasion_plan = ?, updated_by = ?,
				updated_at = ? WHERE deal_id = ? AND version = ?`),
				int64p(b.Amount), b.Flexibility, b.Basis, b.ApprovalProcess, b.PersuasionPlan, int64p(q.UpdatedBy),
				db.t(*q.UpdatedAt), q.DealID, expectVersion)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil || n != 1 {
				if err != nil {
					return err
				}
				return crm.Conflict()
			}
		}
		if _, err := tx.ExecContext(ctx, db.q("DELETE FROM deal_answers WHERE deal_id = ?"), q.DealID); err != nil {
			return err
		}
		for key, answer := range q.Answers {
			if _, err := tx.ExecContext(ctx, db.q("INSERT INTO deal_answers (deal_id, question_key, answer) VALUES (?, ?, ?)"),
				q.DealID, key, answer); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	q.Version = expectVersion + 1
	return nil
}
