package store

import (
	"context"
	"database/sql"
	"strings"

	"github.com/dealpath/dealpath/internal/crm"
)

// importBatchParams bounds the parameters of one multi-row INSERT: below
// SQLite's 32,766 and PostgreSQL's 65,535, and large enough that a batch
// of a few hundred rows costs one round trip.
const importBatchParams = 12_000

// insertRows writes n rows into table in one transaction, as multi-row
// INSERTs of up to importBatchParams parameters, plus the audit row.
// rowArgs appends the values of row i in the order of cols. The full-size
// batch statement is prepared once and reused.
func (db *DB) insertRows(ctx context.Context, table string, cols []string, n int, rowArgs func(args []any, i int) []any, audit *crm.AuditEntry, progress func(int)) error {
	per := max(1, importBatchParams/len(cols))
	stmtFor := func(rows int) string {
		one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
		return db.q("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES " +
			strings.TrimSuffix(strings.Repeat(one+", ", rows), ", "))
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var full *sql.Stmt
		if n >= per {
			var err error
			if full, err = tx.PrepareContext(ctx, stmtFor(per)); err != nil {
				return err
			}
			defer full.Close()
		}
		args := make([]any, 0, per*len(cols))
		for start := 0; start < n; start += per {
			end := min(n, start+per)
			args = args[:0]
			for i := start; i < end; i++ {
				args = rowArgs(args, i)
			}
			var err error
			if end-start == per {
				_, err = full.ExecContext(ctx, args...)
			} else {
				_, err = tx.ExecContext(ctx, stmtFor(end-start), args...)
			}
			if isUniqueViolation(err) {
				// Someone created an account with the same credit code
				// since the import checked: the file is now a duplicate.
				return duplicate("credit_code")
			}
			if isForeignKeyViolation(err) {
				return &crm.Error{Code: crm.ECONFLICT, Message: crm.Msg("import.error.changed")}
			}
			if err != nil {
				return err
			}
			if progress != nil {
				progress(end)
			}
		}
		return db.insertAudit(ctx, tx, audit)
	})
}

// InsertAccounts writes imported accounts in one transaction.
func (db *DB) InsertAccounts(ctx context.Context, as []*crm.Account, audit *crm.AuditEntry, progress func(int)) error {
	cols := []string{"version", "name", "credit_code", "headcount", "business_kind", "industry", "ownership", "restructured_on",
		"just_restructured", "revenue_last_year", "gross_profit", "existing_software", "branch_count", "purchase_plan", "region",
		"address", "phone", "website", "owner_id", "credit_limit", "fit_score", "fit_grade", "created_at", "updated_at"}
	return db.insertRows(ctx, "accounts", cols, len(as), func(args []any, i int) []any {
		a := as[i]
		return append(args, a.Version, a.Name, a.CreditCode, intp(a.Headcount), a.BusinessKind, a.Industry, a.Ownership, dp(a.RestructuredOn),
			a.JustRestructured, int64p(a.RevenueLastYear), int64p(a.GrossProfit), joinList(a.ExistingSoftware), intp(a.BranchCount),
			a.PurchasePlan, a.Region, a.Address, a.Phone, a.Website, a.OwnerID, a.CreditLimit, intp(a.FitScore), a.FitGrade,
			db.t(a.CreatedAt), db.t(a.UpdatedAt))
	}, audit, progress)
}

// InsertContacts writes imported contacts in one transaction.
func (db *DB) InsertContacts(ctx context.Context, cs []*crm.Contact, audit *crm.AuditEntry, progress func(int)) error {
	cols := []string{"version", "account_id", "name", "title", "functional_role", "phone", "email", "wechat", "notes", "created_at", "updated_at"}
	return db.insertRows(ctx, "contacts", cols, len(cs), func(args []any, i int) []any {
		c := cs[i]
		return append(args, c.Version, c.AccountID, c.Name, c.Title, c.FunctionalRole, c.Phone, c.Email, c.WeChat, c.Notes, db.t(c.CreatedAt), db.t(c.UpdatedAt))
	}, audit, progress)
}

// InsertDeals writes imported deals in one transaction.
func (db *DB) InsertDeals(ctx context.Context, ds []*crm.Deal, audit *crm.AuditEntry, progress func(int)) error {
	cols := []string{"version", "account_id", "owner_id", "title", "stage", "amount", "expected_close_date", "probability", "next_step",
		"lost_reason", "stage_changed_at", "close_date_slips", "no_competitors", "created_at", "updated_at"}
	return db.insertRows(ctx, "deals", cols, len(ds), func(args []any, i int) []any {
		d := ds[i]
		return append(args, d.Version, d.AccountID, d.OwnerID, d.Title, d.Stage, d.Amount, dp(d.ExpectedCloseDate), d.Probability, d.NextStep,
			d.LostReason, db.t(d.StageChangedAt), d.CloseDateSlips, d.NoCompetitors, db.t(d.CreatedAt), db.t(d.UpdatedAt))
	}, audit, progress)
}

// InsertActivities writes imported activities in one transaction.
func (db *DB) InsertActivities(ctx context.Context, as []*crm.Activity, audit *crm.AuditEntry, progress func(int)) error {
	cols := []string{"version", "type", "subject", "due_at", "done_at", "deal_id", "account_id", "contact_id", "notes", "owner_id", "created_at", "updated_at"}
	return db.insertRows(ctx, "activities", cols, len(as), func(args []any, i int) []any {
		a := as[i]
		return append(args, a.Version, a.Type, a.Subject, db.tp(a.DueAt), db.tp(a.DoneAt), int64p(a.DealID), int64p(a.AccountID), int64p(a.ContactID),
			a.Notes, a.OwnerID, db.t(a.CreatedAt), db.t(a.UpdatedAt))
	}, audit, progress)
}

// AccountRefs lists every live account's name, credit code and owner.
func (db *DB) AccountRefs(ctx context.Context) ([]crm.AccountRef, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT a.id, a.name, a.credit_code, a.owner_id, COALESCE(u.team_id, 0)
		FROM accounts a JOIN users u ON u.id = a.owner_id WHERE a.deleted_at IS NULL ORDER BY a.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []crm.AccountRef{}
	for rows.Next() {
		var r crm.AccountRef
		if err := rows.Scan(&r.ID, &r.Name, &r.CreditCode, &r.OwnerID, &r.OwnerTeamID); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ContactRefs lists every live contact's account and name.
func (db *DB) ContactRefs(ctx context.Context) ([]crm.ContactRef, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, account_id, name FROM contacts WHERE deleted_at IS NULL ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []crm.ContactRef{}
	for rows.Next() {
		var r crm.ContactRef
		if err := rows.Scan(&r.ID, &r.AccountID, &r.Name); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// DealRefs lists every live deal's account, title and owner.
func (db *DB) DealRefs(ctx context.Context) ([]crm.DealRef, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT d.id, d.account_id, d.title, d.owner_id, COALESCE(u.team_id, 0)
		FROM deals d JOIN users u ON u.id = d.owner_id WHERE d.deleted_at IS NULL ORDER BY d.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []crm.DealRef{}
	for rows.Next() {
		var r crm.DealRef
		if err := rows.Scan(&r.ID, &r.AccountID, &r.Title, &r.OwnerID, &r.OwnerTeamID); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

const importJobCols = `id, user_id, kind, mode, file_name, status, phase, total_rows, done_rows, inserted_rows, bad_rows,
	error_key, result_json, created_at, updated_at`

// CreateImportJob inserts a job with its uploaded file and sets its id.
func (db *DB) CreateImportJob(ctx context.Context, j *crm.ImportJob) error {
	return db.write.QueryRowContext(ctx, db.q(`INSERT INTO import_jobs (user_id, kind, mode, file_name, status, phase, total_rows,
		done_rows, inserted_rows, bad_rows, error_key, result_json, file_data, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		j.UserID, j.Kind, j.Mode, j.FileName, j.Status, j.Phase, j.Total, j.Done, j.Inserted, j.Bad, j.ErrorKey,
		crm.MarshalResult(j.Result), j.FileData, db.t(j.CreatedAt), db.t(j.UpdatedAt)).Scan(&j.ID)
}

// UpdateImportJob writes a job's progress or outcome and its error file.
// The uploaded file is dropped once rows from it were written: it is kept
// only so that a dry run or a rejected import can run again.
func (db *DB) UpdateImportJob(ctx context.Context, j *crm.ImportJob) error {
	dropFile := j.Status == crm.JobDone && j.Mode != crm.ImportDryRun
	res, err := db.write.ExecContext(ctx, db.q(`UPDATE import_jobs SET status = ?, phase = ?, total_rows = ?, done_rows = ?,
		inserted_rows = ?, bad_rows = ?, error_key = ?, result_json = ?, error_file = ?,
		file_data = CASE WHEN ? THEN NULL ELSE file_data END, updated_at = ? WHERE id = ?`),
		j.Status, j.Phase, j.Total, j.Done, j.Inserted, j.Bad, j.ErrorKey, crm.MarshalResult(j.Result), j.ErrorFile, dropFile,
		db.t(j.UpdatedAt), j.ID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return crm.NotFound("import")
	}
	return nil
}

// ImportJobByID returns a job without its files, which only downloads and
// reruns need (ImportJobFile): a page polls the job twice a second.
func (db *DB) ImportJobByID(ctx context.Context, id int64) (*crm.ImportJob, error) {
	j := &crm.ImportJob{}
	var result string
	err := db.read.QueryRowContext(ctx, db.q("SELECT "+importJobCols+" FROM import_jobs WHERE id = ?"), id).Scan(
		&j.ID, &j.UserID, &j.Kind, &j.Mode, &j.FileName, &j.Status, &j.Phase, &j.Total, &j.Done, &j.Inserted, &j.Bad,
		&j.ErrorKey, &result, timeCol{&j.CreatedAt}, timeCol{&j.UpdatedAt})
	if err != nil {
		return nil, notFound(err, "import")
	}
	j.Result = crm.UnmarshalResult(result)
	return j, nil
}

// ImportJobFile returns a job's uploaded file (crm.JobFileUpload) or its
// error file (crm.JobFileErrors); nil when there is none.
func (db *DB) ImportJobFile(ctx context.Context, id int64, which string) ([]byte, error) {
	col := "error_file"
	if which == crm.JobFileUpload {
		col = "file_data"
	}
	var b []byte
	err := db.read.QueryRowContext(ctx, db.q("SELECT "+col+" FROM import_jobs WHERE id = ?"), id).Scan(&b)
	if err != nil {
		return nil, notFound(err, "import")
	}
	return b, nil
}
