package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/dealpath/dealpath/internal/crm"
)

const dealCols = `d.id, d.version, d.account_id, d.owner_id, d.title, d.stage, d.amount, d.expected_close_date, d.probability,
	d.next_step, d.lost_reason, d.stage_changed_at, d.close_date_slips, d.no_competitors, d.created_at, d.updated_at, COALESCE(u.team_id, 0)`

const dealFrom = `deals d JOIN users u ON u.id = d.owner_id`

func scanDeal(s interface{ Scan(...any) error }, extra ...any) (*crm.Deal, error) {
	d := &crm.Deal{}
	dest := []any{&d.ID, &d.Version, &d.AccountID, &d.OwnerID, &d.Title, &d.Stage, &d.Amount, nullDateCol{&d.ExpectedCloseDate},
		&d.Probability, &d.NextStep, &d.LostReason, timeCol{&d.StageChangedAt}, &d.CloseDateSlips, &d.NoCompetitors, timeCol{&d.CreatedAt}, timeCol{&d.UpdatedAt},
		&d.OwnerTeamID}
	if err := s.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	return d, nil
}

// unknownOwner is the error for an owner_id that names no user. The service
// checks owners before writing; this keeps a direct store caller from
// getting a raw foreign-key error instead.
func unknownOwner() error {
	return &crm.Error{Code: crm.EINVALID, Message: crm.Msg("error.invalid"), Fields: map[string]crm.Message{"owner_id": crm.Msg("field.unknown_user")}}
}

// CreateDeal inserts a deal on a live account and sets its id and the
// owner's team.
func (db *DB) CreateDeal(ctx context.Context, d *crm.Deal) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.requireLive(ctx, tx, "accounts", d.AccountID, "account_id"); err != nil {
			return err
		}
		err := tx.QueryRowContext(ctx, db.q(`INSERT INTO deals (version, account_id, owner_id, title, stage, amount,
			expected_close_date, probability, next_step, lost_reason, stage_changed_at, close_date_slips, no_competitors,
			created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
			d.Version, d.AccountID, d.OwnerID, d.Title, d.Stage, d.Amount, dp(d.ExpectedCloseDate), d.Probability,
			d.NextStep, d.LostReason, db.t(d.StageChangedAt), d.CloseDateSlips, d.NoCompetitors, db.t(d.CreatedAt), db.t(d.UpdatedAt)).Scan(&d.ID)
		if isForeignKeyViolation(err) {
			return unknownOwner()
		}
		if err != nil {
			return err
		}
		return db.loadOwnerTeamTx(ctx, tx, d.OwnerID, &d.OwnerTeamID)
	})
}

// loadOwnerTeamTx is loadOwnerTeam inside a transaction; on SQLite a read
// on another connection would not see the uncommitted owner change.
func (db *DB) loadOwnerTeamTx(ctx context.Context, tx *sql.Tx, ownerID int64, dst *int64) error {
	return tx.QueryRowContext(ctx, db.q("SELECT COALESCE(team_id, 0) FROM users WHERE id = ?"), ownerID).Scan(dst)
}

// DealByID returns a live deal.
func (db *DB) DealByID(ctx context.Context, id int64) (*crm.Deal, error) {
	row := db.read.QueryRowContext(ctx, db.q("SELECT "+dealCols+" FROM "+dealFrom+" WHERE d.id = ? AND d.deleted_at IS NULL"), id)
	d, err := scanDeal(row)
	if err != nil {
		return nil, notFound(err, "deal")
	}
	return d, nil
}

// dealSorts: the expected close date sorts open dates last, through the
// same COALESCE expression the deals_close and deals_stage_close indexes
// are built on, so that the pipeline's default order is an index scan.
var dealSorts = map[string]sortSpec{
	"title":               textSort("d.title"),
	"amount":              intSort("d.amount"),
	"probability":         intSort("d.probability"),
	"expected_close_date": nullDateSort("d.expected_close_date"),
	"created_at":          timeSort("d.created_at"),
	"updated_at":          timeSort("d.updated_at"),
}

// ListDeals returns one page of live deals.
func (db *DB) ListDeals(ctx context.Context, f crm.DealFilter) (*crm.Page[*crm.Deal], error) {
	lq := &listQuery{cols: dealCols, from: dealFrom, countFrom: "deals d", idCol: "d.id", sorts: dealSorts, defSrt: "expected_close_date"}
	lq.and("d.deleted_at IS NULL")
	lq.scope("d.owner_id", f.Scope)
	if f.OwnerID != nil {
		lq.and("d.owner_id = ?", *f.OwnerID)
	}
	if f.AccountID != nil {
		lq.and("d.account_id = ?", *f.AccountID)
	}
	if f.TeamID != nil {
		lq.and("d.owner_id IN (SELECT id FROM users WHERE team_id = ?)", *f.TeamID)
	}
	if f.Stage != "" {
		lq.and("d.stage = ?", f.Stage)
	}
	if f.UpdatedSince != nil {
		lq.and("d.updated_at >= ?", db.t(*f.UpdatedSince))
	}
	lq.searchIndexed("d.title", f.Q, "deals_title_fts", "")
	lq.total = dealSummaryCount(f)
	page := &crm.Page[*crm.Deal]{Items: []*crm.Deal{}}
	next, total, err := db.run(ctx, lq, f.ListParams, func(rows *sql.Rows, key *any) (int64, error) {
		d, err := scanDeal(rows, key)
		if err != nil {
			return 0, err
		}
		page.Items = append(page.Items, d)
		return d.ID, nil
	})
	if err != nil {
		return nil, err
	}
	page.NextCursor, page.Total = next, total
	return page, nil
}

// dealSummaryCount counts the deals of a list from report_pipeline_totals
// (migration 0007), when the list asks only what that summary knows: the
// viewer's scope, owner, team and stage. The summary holds the count of
// live deals per owner and stage, every stage, kept exact by triggers on
// every write to deals, so an admin's total over 1,000,000 deals reads a
// few hundred rows instead of counting the deals (72–113 ms,
// docs/benchmarks.md, "Scale proof"). A list by account, by update time or
// with a search counts its rows (nil).
func dealSummaryCount(f crm.DealFilter) *summaryCount {
	if f.AccountID != nil || f.UpdatedSince != nil || strings.TrimSpace(f.Q) != "" {
		return nil
	}
	where, args := ownerSummaryScope(f.Scope)
	if f.OwnerID != nil {
		where = append(where, "owner_id = ?")
		args = append(args, *f.OwnerID)
	}
	if f.TeamID != nil {
		where = append(where, "owner_id IN (SELECT id FROM users WHERE team_id = ?)")
		args = append(args, *f.TeamID)
	}
	if f.Stage != "" {
		where = append(where, "stage = ?")
		args = append(args, f.Stage)
	}
	// SUM of a BIGINT is NUMERIC on PostgreSQL; the cast keeps it an integer.
	return &summaryCount{sql: "SELECT CAST(COALESCE(SUM(deals), 0) AS BIGINT) FROM report_pipeline_totals" + whereSQL(where), args: args}
}

// UpdateDeal writes a deal if its version is still expectVersion, and its
// audit row (a stage move, a reassignment) in the same transaction, so that
// the log never claims a change that did not happen or misses one that did.
// The account is fixed once made (crm.DealPatch), so it is not written.
func (db *DB) UpdateDeal(ctx context.Context, d *crm.Deal, expectVersion int64, audit *crm.AuditEntry) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.q(`UPDATE deals SET version = version + 1, owner_id = ?, title = ?, stage = ?, amount = ?,
			expected_close_date = ?, probability = ?, next_step = ?, lost_reason = ?, stage_changed_at = ?,
			close_date_slips = ?, no_competitors = ?, updated_at = ?
			WHERE id = ? AND version = ? AND deleted_at IS NULL`),
			d.OwnerID, d.Title, d.Stage, d.Amount, dp(d.ExpectedCloseDate), d.Probability, d.NextStep, d.LostReason,
			db.t(d.StageChangedAt), d.CloseDateSlips, d.NoCompetitors, db.t(d.UpdatedAt), d.ID, expectVersion)
		if isForeignKeyViolation(err) {
			return unknownOwner()
		}
		if err != nil {
			return err
		}
		if err := db.versionMiss(ctx, tx, res, "deals", "deal", d.ID); err != nil {
			return err
		}
		if err := db.insertAudit(ctx, tx, audit); err != nil {
			return err
		}
		return db.loadOwnerTeamTx(ctx, tx, d.OwnerID, &d.OwnerTeamID)
	})
	if err != nil {
		return err
	}
	d.Version = expectVersion + 1
	return nil
}

// DeleteDeal soft-deletes a deal and audits it. Its deal_contacts and
// activities stay as history; the deal no longer holds its contacts or its
// account against deletion.
func (db *DB) DeleteDeal(ctx context.Context, id, expectVersion int64, audit *crm.AuditEntry) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		return db.softDelete(ctx, tx, "deals", "deal", id, expectVersion, audit)
	})
}

const dealContactCols = `deal_id, contact_id, version, buying_role, stance, engagement_step, created_at, updated_at`

func scanDealContact(s interface{ Scan(...any) error }) (*crm.DealContact, error) {
	dc := &crm.DealContact{}
	if err := s.Scan(&dc.DealID, &dc.ContactID, &dc.Version, &dc.BuyingRole, &dc.Stance, &dc.EngagementStep,
		timeCol{&dc.CreatedAt}, timeCol{&dc.UpdatedAt}); err != nil {
		return nil, err
	}
	return dc, nil
}

// AddDealContact puts a live contact of the deal's account into a live
// deal. The service checks the same; checking again in the transaction
// keeps a deal from ever naming another company's people.
func (db *DB) AddDealContact(ctx context.Context, dc *crm.DealContact) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var accountID int64
		err := tx.QueryRowContext(ctx, db.q("SELECT account_id FROM deals WHERE id = ? AND deleted_at IS NULL"), dc.DealID).Scan(&accountID)
		if err != nil {
			return notFound(err, "deal")
		}
		var ok int64
		err = tx.QueryRowContext(ctx, db.q("SELECT id FROM contacts WHERE id = ? AND account_id = ? AND deleted_at IS NULL"+db.forShare("")),
			dc.ContactID, accountID).Scan(&ok)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if ok == 0 {
			return &crm.Error{Code: crm.EINVALID, Message: crm.Msg("error.invalid"), Fields: map[string]crm.Message{"contact_id": crm.Msg("field.contact_not_of_account")}}
		}
		_, err = tx.ExecContext(ctx, db.q(`INSERT INTO deal_contacts (`+dealContactCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
			dc.DealID, dc.ContactID, dc.Version, dc.BuyingRole, dc.Stance, dc.EngagementStep, db.t(dc.CreatedAt), db.t(dc.UpdatedAt))
		if isUniqueViolation(err) {
			return duplicate("contact_id")
		}
		return err
	})
}

// DealContacts returns the contacts of a deal in the order they were added.
func (db *DB) DealContacts(ctx context.Context, dealID int64) ([]*crm.DealContact, error) {
	rows, err := db.read.QueryContext(ctx, db.q("SELECT "+dealContactCols+" FROM deal_contacts WHERE deal_id = ? ORDER BY created_at, contact_id"), dealID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*crm.DealContact{}
	for rows.Next() {
		dc, err := scanDealContact(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, dc)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// DealContact returns one contact's part in a deal.
func (db *DB) DealContact(ctx context.Context, dealID, contactID int64) (*crm.DealContact, error) {
	row := db.read.QueryRowContext(ctx, db.q("SELECT "+dealContactCols+" FROM deal_contacts WHERE deal_id = ? AND contact_id = ?"), dealID, contactID)
	dc, err := scanDealContact(row)
	if err != nil {
		return nil, notFound(err, "deal_contact")
	}
	return dc, nil
}

// UpdateDealContact writes a contact's part in a deal if its version is
// still expectVersion.
func (db *DB) UpdateDealContact(ctx context.Context, dc *crm.DealContact, expectVersion int64) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.q(`UPDATE deal_contacts SET version = version + 1, buying_role = ?, stance = ?,
			engagement_step = ?, updated_at = ? WHERE deal_id = ? AND contact_id = ? AND version = ?`),
			dc.BuyingRole, dc.Stance, dc.EngagementStep, db.t(dc.UpdatedAt), dc.DealID, dc.ContactID, expectVersion)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n != 1 {
			var exists int
			err := tx.QueryRowContext(ctx, db.q("SELECT COUNT(*) FROM deal_contacts WHERE deal_id = ? AND contact_id = ?"),
				dc.DealID, dc.ContactID).Scan(&exists)
			if err != nil {
				return err
			}
			if exists == 0 {
				return crm.NotFound("deal_contact")
			}
			return crm.Conflict()
		}
		return nil
	})
	if err != nil {
		return err
	}
	dc.Version = expectVersion + 1
	return nil
}

// RemoveDealContact takes a contact out of a deal. The row is deleted, not
// soft-deleted: it has no identity of its own, and adding the contact again
// must be possible.
func (db *DB) RemoveDealContact(ctx context.Context, dealID, contactID int64) error {
	res, err := db.write.ExecContext(ctx, db.q("DELETE FROM deal_contacts WHERE deal_id = ? AND contact_id = ?"), dealID, contactID)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return crm.NotFound("deal_contact")
	}
	return nil
}
