package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/dealpath/dealpath/internal/crm"
)

// approvalSubjects names the table of each kind of approval subject. Each
// has the columns state, version, state_changed_at, updated_at and
// approval_id; a kind that gains approvals (contracts) adds its table here.
var approvalSubjects = map[string]string{
	crm.ApprovalKindQuote: "quotes",
}

// An approval request, like a quote, belongs to its deal: reads carry the
// deal's owner and their team, and a request of a deleted deal is gone.
const approvalCols = `ap.id, ap.version, ap.kind, ap.subject_id, ap.deal_id, ap.requested_by, ap.assigned_to, ap.status, ap.reasons,
	ap.comment, ap.decided_by, ap.decided_at, ap.task_id, ap.created_at, ap.updated_at, d.owner_id, COALESCE(u.team_id, 0)`

const approvalFrom = `approvals ap JOIN deals d ON d.id = ap.deal_id JOIN users u ON u.id = d.owner_id`

func scanApproval(s interface{ Scan(...any) error }, extra ...any) (*crm.Approval, error) {
	a := &crm.Approval{}
	var reasons string
	dest := []any{&a.ID, &a.Version, &a.Kind, &a.SubjectID, &a.DealID, &a.RequestedBy, &a.AssignedTo, &a.Status, &reasons,
		&a.Comment, nullInt64Col{&a.DecidedBy}, nullTimeCol{&a.DecidedAt}, nullInt64Col{&a.TaskID}, timeCol{&a.CreatedAt},
		timeCol{&a.UpdatedAt}, &a.OwnerID, &a.OwnerTeamID}
	if err := s.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(reasons), &a.Reasons); err != nil {
		return nil, fmt.Errorf("approval %d: reasons: %w", a.ID, err)
	}
	if a.Reasons == nil {
		a.Reasons = []crm.ApprovalReason{} // rows written as "null" before writes normalised it
	}
	return a, nil
}

// moveSubject moves an approval's subject from m.From to m.To inside tx,
// and links it to the approval request approvalID when not nil. A subject
// no longer in m.From (or, with m.ExpectVersion, at another version) is a
// conflict; one that does not exist is not found.
func (db *DB) moveSubject(ctx context.Context, tx *sql.Tx, m crm.SubjectMove, approvalID *int64) error {
	table, ok := approvalSubjects[m.Kind]
	if !ok {
		return fmt.Errorf("store: approval subject of unknown kind %q", m.Kind)
	}
	set := "state = ?, version = version + 1, state_changed_at = ?, updated_at = ?"
	args := []any{m.To, db.t(m.At), db.t(m.At)}
	if approvalID != nil {
		set += ", approval_id = ?"
		args = append(args, *approvalID)
	}
	where := "id = ? AND state = ?"
	args = append(args, m.ID, m.From)
	if m.ExpectVersion > 0 {
		where += " AND version = ?"
		args = append(args, m.ExpectVersion)
	}
	res, err := tx.ExecContext(ctx, db.q("UPDATE "+table+" SET "+set+" WHERE "+where), args...)
	if err != nil {
		return err
	}
	return db.rowMiss(ctx, tx, res, "SELECT COUNT(*) FROM "+table+" WHERE id = ?", m.Kind, m.ID)
}

// MoveSubject moves a subject that needs no approval, with its audit rows,
// in one transaction.
func (db *DB) MoveSubject(ctx context.Context, m crm.SubjectMove, audits []*crm.AuditEntry) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.moveSubject(ctx, tx, m, nil); err != nil {
			return err
		}
		for _, a := range audits {
			if err := db.insertAudit(ctx, tx, a); err != nil {
				return err
			}
		}
		return nil
	})
}

// RequestApproval creates an approval request with the approver's task on a
// live deal, moves the subject to pending and links it to the request, and
// writes the audit rows, in one transaction. Audit rows about the request
// (entity "approval", EntityID 0) get its id. A subject that already has a
// pending request is a conflict (unique index approvals_pending).
func (db *DB) RequestApproval(ctx context.Context, m crm.SubjectMove, a *crm.Approval, task *crm.Activity, audits []*crm.AuditEntry) error {
	if a.Reasons == nil {
		a.Reasons = []crm.ApprovalReason{} // stored as [], so it never reads back as null
	}
	reasons, err := json.Marshal(a.Reasons)
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := db.liveDealAccount(ctx, tx, a.DealID); err != nil {
			return err
		}
		if task != nil {
			if err := db.insertActivity(ctx, tx, task); err != nil {
				return err
			}
			a.TaskID = &task.ID
		}
		err := tx.QueryRowContext(ctx, db.q(`INSERT INTO approvals (version, kind, subject_id, deal_id, requested_by, assigned_to,
			status, reasons, comment, decided_by, decided_at, task_id, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
			a.Version, a.Kind, a.SubjectID, a.DealID, a.RequestedBy, a.AssignedTo, a.Status, string(reasons), a.Comment,
			int64p(a.DecidedBy), db.tp(a.DecidedAt), int64p(a.TaskID), db.t(a.CreatedAt), db.t(a.UpdatedAt)).Scan(&a.ID)
		if isUniqueViolation(err) {
			return crm.Conflict()
		}
		if err != nil {
			return err
		}
		if err := db.moveSubject(ctx, tx, m, &a.ID); err != nil {
			return err
		}
		for _, e := range audits {
			if e.EntityType == "approval" && e.EntityID == 0 {
				e.EntityID = a.ID
			}
			if err := db.insertAudit(ctx, tx, e); err != nil {
				return err
			}
		}
		return tx.QueryRowContext(ctx, db.q("SELECT d.owner_id, COALESCE(u.team_id, 0) FROM deals d JOIN users u ON u.id = d.owner_id WHERE d.id = ?"),
			a.DealID).Scan(&a.OwnerID, &a.OwnerTeamID)
	})
}

// ApprovalByID returns an approval request of a live deal.
func (db *DB) ApprovalByID(ctx context.Context, id int64) (*crm.Approval, error) {
	a, err := scanApproval(db.read.QueryRowContext(ctx, db.q("SELECT "+approvalCols+" FROM "+approvalFrom+" WHERE ap.id = ? AND d.deleted_at IS NULL"), id))
	if err != nil {
		return nil, notFound(err, "approval")
	}
	return a, nil
}

var approvalSorts = map[string]sortSpec{
	"created_at": timeSort("ap.created_at"),
	"updated_at": timeSort("ap.updated_at"),
}

// ListApprovals returns one page of the approval requests of live deals,
// oldest first: an inbox is worked from the longest waiting.
func (db *DB) ListApprovals(ctx context.Context, f crm.ApprovalFilter) (*crm.Page[*crm.Approval], error) {
	lq := &listQuery{cols: approvalCols, from: approvalFrom, idCol: "ap.id", sorts: approvalSorts, defSrt: "created_at"}
	lq.and("d.deleted_at IS NULL")
	if f.AssignedTo != nil {
		lq.and("ap.assigned_to = ?", *f.AssignedTo)
	}
	if f.Status != "" {
		lq.and("ap.status = ?", f.Status)
	}
	if f.Kind != "" {
		lq.and("ap.kind = ?", f.Kind)
	}
	if f.DealID != nil {
		lq.and("ap.deal_id = ?", *f.DealID)
	}
	if f.UpdatedSince != nil {
		lq.and("ap.updated_at >= ?", db.t(*f.UpdatedSince))
	}
	page := &crm.Page[*crm.Approval]{Items: []*crm.Approval{}}
	next, total, err := db.run(ctx, lq, f.ListParams, func(rows *sql.Rows, key *any) (int64, error) {
		a, err := scanApproval(rows, key)
		if err != nil {
			return 0, err
		}
		page.Items = append(page.Items, a)
		return a.ID, nil
	})
	if err != nil {
		return nil, err
	}
	page.NextCursor, page.Total = next, total
	return page, nil
}

// DecideApproval writes a decision if the request is still pending at
// expectVersion, moves the subject (m), marks the approver's task done and
// writes the audit rows, all in one transaction. The versioned UPDATE is
// what makes a decision happen once: of two deciders at the same moment,
// the second finds the row changed (on PostgreSQL it waits for the first's
// row lock, then re-reads it) and gets a conflict, and nothing of it is
// written.
func (db *DB) DecideApproval(ctx context.Context, a *crm.Approval, expectVersion int64, m crm.SubjectMove, audits []*crm.AuditEntry) error {
	if a.DecidedAt == nil {
		return fmt.Errorf("store: approval decision without decided_at")
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.q(`UPDATE approvals SET version = version + 1, status = ?, comment = ?, decided_by = ?,
			decided_at = ?, updated_at = ? WHERE id = ? AND version = ? AND status = ?`),
			a.Status, a.Comment, int64p(a.DecidedBy), db.t(*a.DecidedAt), db.t(a.UpdatedAt), a.ID, expectVersion, crm.ApprovalPending)
		if err != nil {
			return err
		}
		if err := db.rowMiss(ctx, tx, res, "SELECT COUNT(*) FROM approvals WHERE id = ?", "approval", a.ID); err != nil {
			return err
		}
		if err := db.moveSubject(ctx, tx, m, nil); err != nil {
			return err
		}
		if a.TaskID != nil {
			if _, err := tx.ExecContext(ctx, db.q(`UPDATE activities SET version = version + 1, done_at = ?, updated_at = ?
				WHERE id = ? AND done_at IS NULL AND deleted_at IS NULL`), db.t(*a.DecidedAt), db.t(*a.DecidedAt), *a.TaskID); err != nil {
				return err
			}
		}
		for _, e := range audits {
			if err := db.insertAudit(ctx, tx, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	a.Version = expectVersion + 1
	return nil
}
