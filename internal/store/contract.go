package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/dealpath/dealpath/internal/crm"
)

// Contracts are approval subjects: the approvals' decisions move them
// through their table.
func init() { approvalSubjects[crm.ApprovalKindContract] = "contracts" }

// A contract belongs to its deal: reads carry the deal's account, owner
// and the owner's team, and a contract of a deleted deal is gone.
const contractCols = `c.id, c.version, c.deal_id, c.quote_id, d.account_id, d.owner_id, c.number, c.kind, c.state, c.party_ours,
	c.party_customer, c.amount, c.payment_method, c.payment_days, c.start_on, c.end_on, c.signed_on, c.converted_from,
	c.approval_id, c.created_by, c.state_changed_at, c.created_at, c.updated_at, COALESCE(u.team_id, 0)`

const contractFrom = `contracts c JOIN deals d ON d.id = c.deal_id AND d.deleted_at IS NULL JOIN users u ON u.id = d.owner_id`

// contractCountFrom is contractFrom without the join that only adds the
// owner's team.
const contractCountFrom = `contracts c JOIN deals d ON d.id = c.deal_id AND d.deleted_at IS NULL`

// scanContract reads a contract; extra destinations (a list's sort key)
// follow its columns.
func scanContract(s interface{ Scan(...any) error }, extra ...any) (*crm.Contract, error) {
	c := &crm.Contract{}
	dest := []any{&c.ID, &c.Version, &c.DealID, &c.QuoteID, &c.AccountID, &c.OwnerID, &c.Number, &c.Kind, &c.State, &c.PartyOurs,
		&c.PartyCustomer, &c.Amount, &c.PaymentMethod, &c.PaymentDays, nullDateCol{&c.StartOn}, nullDateCol{&c.EndOn},
		nullDateCol{&c.SignedOn}, nullInt64Col{&c.ConvertedFrom}, nullInt64Col{&c.ApprovalID}, &c.CreatedBy,
		timeCol{&c.StateChangedAt}, timeCol{&c.CreatedAt}, timeCol{&c.UpdatedAt}, &c.OwnerTeamID}
	if err := s.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	return c, nil
}

const milestoneCols = `id, version, contract_id, position, name, percent, amount, paid, trigger_on, due_on, updated_at`

func scanMilestone(s interface{ Scan(...any) error }) (crm.Milestone, error) {
	var m crm.Milestone
	err := s.Scan(&m.ID, &m.Version, &m.ContractID, &m.Position, &m.Name, nullIntCol{&m.Percent}, &m.Amount, &m.Paid,
		&m.Trigger, nullDateCol{&m.DueOn}, timeCol{&m.UpdatedAt})
	return m, err
}

// CreateContract inserts a contract on a live deal with its milestones,
// numbers it after its id ("C000123") and writes its audit row, whose
// entity id it sets. A quote that already has a live contract (the unique
// index contracts_live_quote) is a conflict on quote_id: of two creates at
// the same instant exactly one wins.
func (db *DB) CreateContract(ctx context.Context, c *crm.Contract, audit *crm.AuditEntry) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.requireLive(ctx, tx, "deals", c.DealID, "deal_id"); err != nil {
			return err
		}
		err := tx.QueryRowContext(ctx, db.q(`INSERT INTO contracts (version, deal_id, quote_id, number, kind, state, party_ours,
			party_customer, amount, payment_method, payment_days, start_on, end_on, signed_on, converted_from, approval_id,
			created_by, state_changed_at, created_at, updated_at)
			VALUES (?, ?, ?, '', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
			c.Version, c.DealID, c.QuoteID, c.Kind, c.State, c.PartyOurs, c.PartyCustomer, c.Amount, c.PaymentMethod,
			c.PaymentDays, dp(c.StartOn), dp(c.EndOn), dp(c.SignedOn), int64p(c.ConvertedFrom), int64p(c.ApprovalID),
			c.CreatedBy, db.t(c.StateChangedAt), db.t(c.CreatedAt), db.t(c.UpdatedAt)).Scan(&c.ID)
		if isUniqueViolation(err) {
			return quoteHasContract()
		}
		if err != nil {
			return err
		}
		c.Number = fmt.Sprintf("C%06d", c.ID)
		if _, err := tx.ExecContext(ctx, db.q("UPDATE contracts SET number = ? WHERE id = ?"), c.Number, c.ID); err != nil {
			return err
		}
		for i := range c.Milestones {
			m := &c.Milestones[i]
			m.ContractID = c.ID
			err := tx.QueryRowContext(ctx, db.q(`INSERT INTO contract_milestones (version, contract_id, position, name, percent,
				amount, paid, trigger_on, due_on, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
				m.Version, c.ID, m.Position, m.Name, intp(m.Percent), m.Amount, m.Paid, m.Trigger, dp(m.DueOn), db.t(m.UpdatedAt)).Scan(&m.ID)
			if err != nil {
				return err
			}
		}
		if audit != nil {
			audit.EntityID = c.ID
		}
		return db.insertAudit(ctx, tx, audit)
	})
}

// quoteHasContract refuses a second live contract from one quote.
func quoteHasContract() error {
	return &crm.Error{Code: crm.ECONFLICT, Message: crm.Msg("error.quote_has_contract"),
		Fields: map[string]crm.Message{"quote_id": crm.Msg("field.quote_has_contract")}}
}

// ContractByID returns a contract of a live deal with its milestones.
func (db *DB) ContractByID(ctx context.Context, id int64) (*crm.Contract, error) {
	c, err := scanContract(db.read.QueryRowContext(ctx, db.q("SELECT "+contractCols+" FROM "+contractFrom+" WHERE c.id = ?"), id))
	if err != nil {
		return nil, notFound(err, "contract")
	}
	if err := db.loadMilestones(ctx, db.read, c); err != nil {
		return nil, err
	}
	return c, nil
}

func (db *DB) loadMilestones(ctx context.Context, qr querier, c *crm.Contract) error {
	rows, err := qr.QueryContext(ctx, db.q("SELECT "+milestoneCols+" FROM contract_milestones WHERE contract_id = ? ORDER BY position"), c.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	c.Milestones, c.Paid = []crm.Milestone{}, 0
	for rows.Next() {
		m, err := scanMilestone(rows)
		if err != nil {
			return err
		}
		c.Milestones = append(c.Milestones, m)
		c.Paid += m.Paid
	}
	return rows.Err()
}

var contractSorts = map[string]sortSpec{
	"created_at": timeSort("c.created_at"),
	"updated_at": timeSort("c.updated_at"),
	"number":     textSort("c.number"),
	"amount":     intSort("c.amount"),
	"signed_on":  nullDateSort("c.signed_on"),
}

// ListContracts returns one page of the contracts in scope, newest first
// unless sorted otherwise, each with its milestones.
func (db *DB) ListContracts(ctx context.Context, f crm.ContractFilter) (*crm.Page[*crm.Contract], error) {
	lq := &listQuery{cols: contractCols, from: contractFrom, countFrom: contractCountFrom, idCol: "c.id", sorts: contractSorts, defSrt: "-created_at"}
	lq.scope("d.owner_id", f.Scope)
	if f.DealID != nil {
		lq.and("c.deal_id = ?", *f.DealID)
	}
	if f.OwnerID != nil {
		lq.and("d.owner_id = ?", *f.OwnerID)
	}
	if f.State != "" {
		lq.and("c.state = ?", f.State)
	}
	if f.UpdatedSince != nil {
		lq.and("c.updated_at >= ?", db.t(*f.UpdatedSince))
	}
	lq.searchAny(f.Q, "c.number", "d.title")
	page := &crm.Page[*crm.Contract]{Items: []*crm.Contract{}}
	next, total, err := db.run(ctx, lq, f.ListParams, func(rows *sql.Rows, key *any) (int64, error) {
		c, err := scanContract(rows, key)
		if err != nil {
			return 0, err
		}
		page.Items = append(page.Items, c)
		return c.ID, nil
	})
	if err != nil {
		return nil, err
	}
	// Milestones are read after the page, as a quote's lines are: a
	// payment or a due date that moves meanwhile shows on the next read.
	for _, c := range page.Items {
		if err := db.loadMilestones(ctx, db.read, c); err != nil {
			return nil, err
		}
	}
	page.NextCursor, page.Total = next, total
	return page, nil
}

// UpdateContractState moves a contract if it is still at expectVersion in
// state from, with its audit rows.
func (db *DB) UpdateContractState(ctx context.Context, c *crm.Contract, expectVersion int64, from string, audits []*crm.AuditEntry) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.writeContractState(ctx, tx, c, expectVersion, from); err != nil {
			return err
		}
		return db.insertAudits(ctx, tx, audits, 0)
	})
	if err != nil {
		return err
	}
	c.Version = expectVersion + 1
	return nil
}

// writeContractState writes a contract's state, signing day and state
// time if it is still at expectVersion (0: any) in state from.
func (db *DB) writeContractState(ctx context.Context, tx *sql.Tx, c *crm.Contract, expectVersion int64, from string) error {
	where, args := "id = ? AND state = ?", []any{c.State, dp(c.SignedOn), db.t(c.StateChangedAt), db.t(c.UpdatedAt), c.ID, from}
	if expectVersion > 0 {
		where += " AND version = ?"
		args = append(args, expectVersion)
	}
	res, err := tx.ExecContext(ctx, db.q(`UPDATE contracts SET version = version + 1, state = ?, signed_on = ?, state_changed_at = ?,
		updated_at = ? WHERE `+where), args...)
	if err != nil {
		return err
	}
	return db.rowMiss(ctx, tx, res, "SELECT COUNT(*) FROM contracts WHERE id = ?", "contract", c.ID)
}

// insertAudits writes audit rows; a "project" row without an entity id
// gets projectID.
func (db *DB) insertAudits(ctx context.Context, tx *sql.Tx, audits []*crm.AuditEntry, projectID int64) error {
	for _, a := range audits {
		if a != nil && a.EntityType == "project" && a.EntityID == 0 {
			a.EntityID = projectID
		}
		if err := db.insertAudit(ctx, tx, a); err != nil {
			return err
		}
	}
	return nil
}

// SignContract writes a signing in one transaction: the contract (still
// approved at the expected version), the due dates it set on its
// milestones and, for a sale, the deal's stage move (at the version the
// gate was checked on) and the new project.
//
// The service judged the stage gate before this transaction, and a
// purchase condition may have changed since without touching the deal's
// version. So for a sale the transaction first locks the deal's row and
// then calls sg.Recheck, which judges the gate again on what is
// committed. SaveConditions (like the other writes of a deal's gate
// facts: qualification, competitors, events, demos) reads the deal's row
// in its own transaction with liveDealAccount, FOR SHARE on PostgreSQL,
// which the FOR UPDATE here waits for and blocks: a condition written
// before the lock is committed and seen by the recheck, one written after
// waits for the signing to end.
// On SQLite the single writer connection already runs the two one after
// the other, and the recheck's reads see every committed write.
func (db *DB) SignContract(ctx context.Context, sg *crm.ContractSigning) error {
	c := sg.Contract
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.writeContractState(ctx, tx, c, sg.ExpectVersion, crm.ContractApproved); err != nil {
			return err
		}
		for _, m := range c.Milestones {
			if _, err := tx.ExecContext(ctx, db.q("UPDATE contract_milestones SET due_on = ? WHERE id = ?"), dp(m.DueOn), m.ID); err != nil {
				return err
			}
		}
		var projectID int64
		if sg.Deal != nil {
			if err := db.lockDeal(ctx, tx, sg.Deal.ID); err != nil {
				return err
			}
			if sg.Recheck != nil {
				if err := sg.Recheck(ctx); err != nil {
					return err
				}
			}
			if err := db.writeDealStage(ctx, tx, sg.Deal, sg.DealVersion); err != nil {
				return err
			}
			if err := db.insertProject(ctx, tx, sg.Project); err != nil {
				return err
			}
			projectID = sg.Project.ID
		}
		return db.insertAudits(ctx, tx, sg.Audits, projectID)
	})
	if err != nil {
		return err
	}
	c.Version = sg.ExpectVersion + 1
	if sg.Deal != nil {
		sg.Deal.Version = sg.DealVersion + 1
	}
	return nil
}

// lockDeal locks a live deal's row for writing until the transaction
// ends, on PostgreSQL (see SignContract).
func (db *DB) lockDeal(ctx context.Context, tx *sql.Tx, id int64) error {
	var version int64
	err := tx.QueryRowContext(ctx, db.q("SELECT version FROM deals WHERE id = ? AND deleted_at IS NULL"+db.forUpdate()), id).Scan(&version)
	return notFound(err, "deal")
}

// writeDealStage writes a deal's stage move if the deal is still at
// expectVersion: the gate was judged on that version.
func (db *DB) writeDealStage(ctx context.Context, tx *sql.Tx, d *crm.Deal, expectVersion int64) error {
	res, err := tx.ExecContext(ctx, db.q(`UPDATE deals SET version = version + 1, stage = ?, probability = ?, lost_reason = ?,
		stage_changed_at = ?, updated_at = ? WHERE id = ? AND version = ? AND deleted_at IS NULL`),
		d.Stage, d.Probability, d.LostReason, db.t(d.StageChangedAt), db.t(d.UpdatedAt), d.ID, expectVersion)
	if err != nil {
		return err
	}
	return db.versionMiss(ctx, tx, res, "deals", "deal", d.ID)
}

// AccountOpenReceivables sums what the account's signed contracts still
// have open.
func (db *DB) AccountOpenReceivables(ctx context.Context, accountID int64) (int64, error) {
	var open int64
	err := db.read.QueryRowContext(ctx, db.q(`SELECT COALESCE(SUM(m.amount - m.paid), 0)
		FROM contract_milestones m JOIN contracts c ON c.id = m.contract_id JOIN deals d ON d.id = c.deal_id
		WHERE d.account_id = ? AND d.deleted_at IS NULL AND c.state = ?`), accountID, crm.ContractSigned).Scan(&open)
	return open, err
}

// DealContractStates returns the states of a deal's sale contracts.
func (db *DB) DealContractStates(ctx context.Context, dealID int64) ([]string, error) {
	rows, err := db.read.QueryContext(ctx, db.q("SELECT state FROM contracts WHERE deal_id = ? AND kind = ? ORDER BY id"), dealID, crm.ContractSale)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
