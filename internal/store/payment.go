package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/dealpath/dealpath/internal/crm"
)

// forUpdate locks the rows a query reads for writing until the transaction
// ends, on PostgreSQL, so that two transactions about the same record run
// one after the other. SQLite needs nothing: its single writer already
// serializes write transactions.
func (db *DB) forUpdate() string {
	if db.engine != Postgres {
		return ""
	}
	return " FOR UPDATE"
}

const paymentCols = `id, contract_id, milestone_id, amount, received_on, method, notes, recorded_by, created_at`

// RecordPayment writes a payment in one transaction. The contract row is
// locked first, so payments on one contract run one after the other; the
// milestone's paid amount grows by a conditional UPDATE that only matches
// while it stays within the milestone's amount (and, with
// p.MilestoneVersion, while the milestone is at that version), so a
// payment that another one made redundant meanwhile matches nothing and is
// a conflict. Then,
// with done, the contract must be paid in full: it is completed, its
// project closed (the final_payment step done) and the deal moved, at the
// version the gate was judged on. Without done it must not be paid in
// full: the service did not expect this payment to be the last, and a
// retry will complete the contract.
func (db *DB) RecordPayment(ctx context.Context, p *crm.Payment, audit *crm.AuditEntry, done *crm.PaymentCompletion) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var state string
		err := tx.QueryRowContext(ctx, db.q("SELECT state FROM contracts WHERE id = ?"+db.forUpdate()), p.ContractID).Scan(&state)
		if errors.Is(err, sql.ErrNoRows) {
			return crm.NotFound("contract")
		}
		if err != nil {
			return err
		}
		if state != crm.ContractSigned {
			return crm.Conflict()
		}
		where, args := "id = ? AND contract_id = ? AND paid + ? <= amount", []any{p.Amount, db.t(p.CreatedAt), p.MilestoneID, p.ContractID, p.Amount}
		if p.MilestoneVersion > 0 {
			where += " AND version = ?"
			args = append(args, p.MilestoneVersion)
		}
		res, err := tx.ExecContext(ctx, db.q(`UPDATE contract_milestones SET paid = paid + ?, version = version + 1, updated_at = ?
			WHERE `+where), args...)
		if err != nil {
			return err
		}
		if err := db.rowMiss(ctx, tx, res, "SELECT COUNT(*) FROM contract_milestones WHERE id = ?", "milestone", p.MilestoneID); err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx, db.q(`INSERT INTO payments (contract_id, milestone_id, amount, received_on, method, notes,
			recorded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
			p.ContractID, p.MilestoneID, p.Amount, p.ReceivedOn.String(), p.Method, p.Notes, p.RecordedBy, db.t(p.CreatedAt)).Scan(&p.ID)
		if err != nil {
			return err
		}
		if err := db.insertAudit(ctx, tx, audit); err != nil {
			return err
		}
		var open int64
		if err := tx.QueryRowContext(ctx, db.q("SELECT COALESCE(SUM(amount - paid), 0) FROM contract_milestones WHERE contract_id = ?"),
			p.ContractID).Scan(&open); err != nil {
			return err
		}
		if (open == 0) != (done != nil) {
			return crm.Conflict()
		}
		if done == nil {
			return nil
		}
		return db.complete(ctx, tx, done)
	})
}

// complete writes a contract's completion inside the transaction of its
// last payment.
func (db *DB) complete(ctx context.Context, tx *sql.Tx, done *crm.PaymentCompletion) error {
	c := *done.Contract
	c.State, c.StateChangedAt, c.UpdatedAt = crm.ContractCompleted, done.At, done.At
	if err := db.writeContractState(ctx, tx, &c, 0, crm.ContractSigned); err != nil {
		return err
	}
	var projectID int64
	var steps string
	err := tx.QueryRowContext(ctx, db.q("SELECT id, steps FROM projects WHERE contract_id = ?"+db.forUpdate()), c.ID).Scan(&projectID, &steps)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if err == nil {
		if err := db.closeProject(ctx, tx, projectID, steps, done); err != nil {
			return err
		}
	}
	if err := db.writeDealStage(ctx, tx, done.Deal, done.DealVersion); err != nil {
		return err
	}
	return db.insertAudits(ctx, tx, done.Audits, projectID)
}

// closeProject closes a project and marks its final_payment step done.
func (db *DB) closeProject(ctx context.Context, tx *sql.Tx, id int64, stepsText string, done *crm.PaymentCompletion) error {
	p := &crm.Project{ID: id}
	if err := json.Unmarshal([]byte(stepsText), &p.Steps); err != nil {
		return fmt.Errorf("project %d: %w", id, err)
	}
	at := done.At
	var by *int64
	for _, a := range done.Audits {
		if a != nil {
			by = &a.ActorID
			break
		}
	}
	for i := range p.Steps {
		if p.Steps[i].Key == crm.StepFinalPayment && !p.Steps[i].Done {
			p.Steps[i].Done, p.Steps[i].DoneAt, p.Steps[i].DoneBy = true, &at, by
		}
	}
	steps, err := stepsJSON(p.Steps)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, db.q(`UPDATE projects SET version = version + 1, state = ?, steps = ?, closed_at = ?, updated_at = ?
		WHERE id = ?`), crm.ProjectClosed, steps, db.t(at), db.t(at), id)
	return err
}

// ContractPayments returns a contract's payments in the order recorded.
func (db *DB) ContractPayments(ctx context.Context, contractID int64) ([]*crm.Payment, error) {
	rows, err := db.read.QueryContext(ctx, db.q("SELECT "+paymentCols+" FROM payments WHERE contract_id = ? ORDER BY id"), contractID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*crm.Payment{}
	for rows.Next() {
		p := &crm.Payment{}
		if err := rows.Scan(&p.ID, &p.ContractID, &p.MilestoneID, &p.Amount, &p.ReceivedOn, &p.Method, &p.Notes, &p.RecordedBy,
			timeCol{&p.CreatedAt}); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// receivableSorts are the sorts of a receivable list on day today: the
// due date, the days overdue (0 for what is not overdue or not dated) and
// the open amount. today is a crm.Date's text, safe inside the SQL.
func receivableSorts(today string) map[string]sortSpec {
	return map[string]sortSpec{
		"due_on": nullDateSort("m.due_on"),
		"days_overdue": {
			"CASE WHEN m.due_on < '" + today + "' THEN CAST(julianday('" + today + "') - julianday(m.due_on) AS INTEGER) ELSE 0 END",
			"CASE WHEN m.due_on < DATE '" + today + "' THEN DATE '" + today + "' - m.due_on ELSE 0 END",
			'i'},
		"open": intSort("(m.amount - m.paid)"),
	}
}

// receivableFrom joins a milestone to its contract and live deal.
const receivableFrom = `contract_milestones m JOIN contracts c ON c.id = m.contract_id
	JOIN deals d ON d.id = c.deal_id AND d.deleted_at IS NULL`

// Receivables returns one page of the open milestones of signed contracts
// in scope, the earliest due first (those without a due date last) unless
// sorted otherwise.
func (db *DB) Receivables(ctx context.Context, f crm.ReceivableFilter) (*crm.Page[*crm.Receivable], error) {
	lq := &listQuery{cols: "c.id, c.number, c.deal_id, d.account_id, d.owner_id, m.id, m.name, m.amount, m.paid, m.due_on",
		from: receivableFrom, idCol: "m.id", sorts: receivableSorts(f.Today.String()), defSrt: "due_on"}
	lq.and("c.state = ?", crm.ContractSigned)
	lq.and("m.paid < m.amount")
	lq.scope("d.owner_id", f.Scope)
	if f.AccountID != nil {
		lq.and("d.account_id = ?", *f.AccountID)
	}
	if f.OwnerID != nil {
		lq.and("d.owner_id = ?", *f.OwnerID)
	}
	if f.Overdue {
		lq.and("m.due_on < ?", f.Today.String())
	}
	lq.search("c.number", f.Q)
	page := &crm.Page[*crm.Receivable]{Items: []*crm.Receivable{}}
	next, total, err := db.run(ctx, lq, f.ListParams, func(rows *sql.Rows, key *any) (int64, error) {
		r := &crm.Receivable{}
		if err := rows.Scan(&r.ContractID, &r.ContractNumber, &r.DealID, &r.AccountID, &r.OwnerID, &r.MilestoneID, &r.MilestoneName,
			&r.Amount, &r.Paid, nullDateCol{&r.DueOn}, key); err != nil {
			return 0, err
		}
		r.Open = r.Amount - r.Paid
		page.Items = append(page.Items, r)
		return r.MilestoneID, nil
	})
	if err != nil {
		return nil, err
	}
	page.NextCursor, page.Total = next, total
	return page, nil
}
