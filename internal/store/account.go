package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/dealpath/dealpath/internal/crm"
)

const accountCols = `a.id, a.version, a.name, a.credit_code, a.headcount, a.business_kind, a.industry, a.ownership,
	a.restructured_on, a.just_restructured, a.revenue_last_year, a.gross_profit, a.existing_software,
	a.branch_count, a.purchase_plan, a.region, a.address, a.phone, a.website, a.owner_id, a.credit_limit,
	a.fit_score, a.fit_grade, a.created_at, a.updated_at, COALESCE(u.team_id, 0)`

const accountFrom = `accounts a JOIN users u ON u.id = a.owner_id`

func scanAccount(s interface{ Scan(...any) error }, extra ...any) (*crm.Account, error) {
	a := &crm.Account{}
	var software string
	dest := []any{&a.ID, &a.Version, &a.Name, &a.CreditCode, nullIntCol{&a.Headcount}, &a.BusinessKind, &a.Industry, &a.Ownership,
		nullDateCol{&a.RestructuredOn}, &a.JustRestructured, nullInt64Col{&a.RevenueLastYear}, nullInt64Col{&a.GrossProfit}, &software,
		nullIntCol{&a.BranchCount}, &a.PurchasePlan, &a.Region, &a.Address, &a.Phone, &a.Website, &a.OwnerID, &a.CreditLimit,
		nullIntCol{&a.FitScore}, &a.FitGrade, timeCol{&a.CreatedAt}, timeCol{&a.UpdatedAt}, &a.OwnerTeamID}
	if err := s.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	a.ExistingSoftware = splitList(software)
	return a, nil
}

// splitList and joinList keep a small set of enum keys in one text column.
func splitList(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

func joinList(l []string) string { return strings.Join(l, ",") }

// CreateAccount inserts an account and sets its id.
func (db *DB) CreateAccount(ctx context.Context, a *crm.Account) error {
	err := db.write.QueryRowContext(ctx, db.q(`INSERT INTO accounts (version, name, credit_code, headcount, business_kind, industry,
		ownership, restructured_on, just_restructured, revenue_last_year, gross_profit, existing_software, branch_count,
		purchase_plan, region, address, phone, website, owner_id, credit_limit, fit_score, fit_grade, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		a.Version, a.Name, a.CreditCode, intp(a.Headcount), a.BusinessKind, a.Industry, a.Ownership, dp(a.RestructuredOn),
		a.JustRestructured, int64p(a.RevenueLastYear), int64p(a.GrossProfit), joinList(a.ExistingSoftware), intp(a.BranchCount),
		a.PurchasePlan, a.Region, a.Address, a.Phone, a.Website, a.OwnerID, a.CreditLimit, intp(a.FitScore), a.FitGrade,
		db.t(a.CreatedAt), db.t(a.UpdatedAt),
	).Scan(&a.ID)
	if isUniqueViolation(err) {
		return duplicate("credit_code")
	}
	if isForeignKeyViolation(err) {
		return unknownOwner()
	}
	if err != nil {
		return err
	}
	return db.loadOwnerTeam(ctx, a.OwnerID, &a.OwnerTeamID)
}

func (db *DB) loadOwnerTeam(ctx context.Context, ownerID int64, dst *int64) error {
	return db.read.QueryRowContext(ctx, db.q("SELECT COALESCE(team_id, 0) FROM users WHERE id = ?"), ownerID).Scan(dst)
}

// AccountByID returns a live account.
func (db *DB) AccountByID(ctx context.Context, id int64) (*crm.Account, error) {
	row := db.read.QueryRowContext(ctx, db.q("SELECT "+accountCols+" FROM "+accountFrom+" WHERE a.id = ? AND a.deleted_at IS NULL"), id)
	a, err := scanAccount(row)
	if err != nil {
		return nil, notFound(err, "account")
	}
	return a, nil
}

var accountSorts = map[string]sortSpec{
	"name":              textSort("a.name"),
	"created_at":        timeSort("a.created_at"),
	"updated_at":        timeSort("a.updated_at"),
	"headcount":         nullIntSort("a.headcount"),
	"revenue_last_year": nullIntSort("a.revenue_last_year"),
	"fit_score":         nullIntSort("a.fit_score"),
	"fit_grade":         textSort("a.fit_grade"),
}

// ListAccounts returns one page of live accounts.
func (db *DB) ListAccounts(ctx context.Context, f crm.AccountFilter) (*crm.Page[*crm.Account], error) {
	lq := db.accountList(f)
	page := &crm.Page[*crm.Account]{Items: []*crm.Account{}}
	next, total, err := db.run(ctx, lq, f.ListParams, func(rows *sql.Rows, key *any) (int64, error) {
		a, err := scanAccount(rows, key)
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

// UpdateAccount writes an account if its version is still expectVersion,
// with the audit row of a grade change when there is one.
func (db *DB) UpdateAccount(ctx context.Context, a *crm.Account, expectVersion int64, audit *crm.AuditEntry) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.q(`UPDATE accounts SET version = version + 1, name = ?, credit_code = ?, headcount = ?,
			business_kind = ?, industry = ?, ownership = ?, restructured_on = ?, just_restructured = ?, revenue_last_year = ?,
			gross_profit = ?, existing_software = ?, branch_count = ?, purchase_plan = ?, region = ?, address = ?, phone = ?,
			website = ?, owner_id = ?, credit_limit = ?, fit_score = ?, fit_grade = ?, updated_at = ?
			WHERE id = ? AND version = ? AND deleted_at IS NULL`),
			a.Name, a.CreditCode, intp(a.Headcount), a.BusinessKind, a.Industry, a.Ownership, dp(a.RestructuredOn),
			a.JustRestructured, int64p(a.RevenueLastYear), int64p(a.GrossProfit), joinList(a.ExistingSoftware), intp(a.BranchCount),
			a.PurchasePlan, a.Region, a.Address, a.Phone, a.Website, a.OwnerID, a.CreditLimit, intp(a.FitScore), a.FitGrade,
			db.t(a.UpdatedAt), a.ID, expectVersion)
		if isUniqueViolation(err) {
			return duplicate("credit_code")
		}
		if isForeignKeyViolation(err) {
			return unknownOwner()
		}
		if err != nil {
			return err
		}
		if err := db.versionMiss(ctx, tx, res, "accounts", "account", a.ID); err != nil {
			return err
		}
		if err := db.insertAudit(ctx, tx, audit); err != nil {
			return err
		}
		return db.loadOwnerTeamTx(ctx, tx, a.OwnerID, &a.OwnerTeamID)
	})
	if err != nil {
		return err
	}
	a.Version = expectVersion + 1
	return nil
}

// SetAccountFit stores a recomputed fit and audits a grade change. The
// version stays: a new rule is no user's edit.
func (db *DB) SetAccountFit(ctx context.Context, id int64, score int, grade string, audit *crm.AuditEntry) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, db.q("UPDATE accounts SET fit_score = ?, fit_grade = ? WHERE id = ?"), score, grade, id); err != nil {
			return err
		}
		return db.insertAudit(ctx, tx, audit)
	})
}

// DeleteAccount soft-deletes an account without live contacts or deals.
func (db *DB) DeleteAccount(ctx context.Context, id, expectVersion int64, audit *crm.AuditEntry) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		// Delete first, count after: the UPDATE locks the row, so a contact
		// or deal created meanwhile either committed before the count or
		// finds the account deleted (requireLive).
		if err := db.softDelete(ctx, tx, "accounts", "account", id, expectVersion, audit); err != nil {
			return err
		}
		var refs int
		err := tx.QueryRowContext(ctx, db.q(`SELECT
			(SELECT COUNT(*) FROM contacts WHERE account_id = ? AND deleted_at IS NULL) +
			(SELECT COUNT(*) FROM deals WHERE account_id = ? AND deleted_at IS NULL)`), id, id).Scan(&refs)
		if err != nil {
			return err
		}
		if refs > 0 {
			return inUse("account")
		}
		return nil
	})
}

// softDelete marks a row deleted and writes its audit row, inside tx.
// Every delete is audited, so audit is required.
func (db *DB) softDelete(ctx context.Context, tx *sql.Tx, table, kind string, id, expectVersion int64, audit *crm.AuditEntry) error {
	if audit == nil {
		return errors.New("store: delete without audit entry")
	}
	res, err := tx.ExecContext(ctx, db.q("UPDATE "+table+" SET deleted_at = ?, version = version + 1 WHERE id = ? AND version = ? AND deleted_at IS NULL"),
		db.t(audit.CreatedAt), id, expectVersion)
	if err != nil {
		return err
	}
	if err := db.versionMiss(ctx, tx, res, table, kind, id); err != nil {
		return err
	}
	return db.insertAudit(ctx, tx, audit)
}

// accountList is the list query of ListAccounts for f (db gives the
// engine's time format).
func (db *DB) accountList(f crm.AccountFilter) *listQuery {
	lq := &listQuery{cols: accountCols, from: accountFrom, countFrom: "accounts a", idCol: "a.id", sorts: accountSorts, defSrt: "name"}
	lq.and("a.deleted_at IS NULL")
	lq.scope("a.owner_id", f.Scope)
	if f.OwnerID != nil {
		lq.and("a.owner_id = ?", *f.OwnerID)
	}
	if f.UpdatedSince != nil {
		lq.and("a.updated_at >= ?", db.t(*f.UpdatedSince))
	}
	if len(f.Grades) > 0 {
		lq.and("a.fit_grade IN ("+placeholders(len(f.Grades))+")", anySlice(f.Grades)...)
	}
	lq.searchIndexed("a.name", f.Q, "accounts_name_fts", "account_name_pairs")
	lq.total = accountSummaryCount(f)
	return lq
}

// accountSummaryCount counts the accounts of a list from
// account_owner_totals (migration 0016), the live accounts per owner that
// triggers keep exact, when the list asks only what that summary knows:
// the viewer's scope and the owner. An admin's total over 200,000 accounts
// then reads a few hundred rows instead of every account. A list by
// update time, grade or with a search counts its rows (nil).
func accountSummaryCount(f crm.AccountFilter) *summaryCount {
	if f.UpdatedSince != nil || len(f.Grades) > 0 || strings.TrimSpace(f.Q) != "" {
		return nil
	}
	where, args := ownerSummaryScope(f.Scope)
	if f.OwnerID != nil {
		where = append(where, "owner_id = ?")
		args = append(args, *f.OwnerID)
	}
	// SUM of a BIGINT is NUMERIC on PostgreSQL; the cast keeps it an integer.
	return &summaryCount{sql: "SELECT CAST(COALESCE(SUM(accounts), 0) AS BIGINT) FROM account_owner_totals" + whereSQL(where), args: args}
}
