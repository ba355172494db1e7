package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// importBatchParams bounds the parameters of one multi-row INSERT: below
// SQLite's 32,766 and PostgreSQL's 65,535, and large enough that a batch
// of a few hundred rows costs one round trip.
const importBatchParams = 12_000

// importCopyRows is how many rows one PostgreSQL COPY carries: each COPY
// costs a round trip and a look-up of the columns' types, so it pays to
// send a few thousand rows at once.
const importCopyRows = 5_000

// importTable is how the records of one kind go into their table.
type importTable struct {
	name string
	cols []string
	// args appends the values of a record in the order of cols.
	args func(w *importWriter, args []any, rec any) []any
}

var importTables = map[string]importTable{
	crm.KindAccounts: {"accounts", []string{"version", "name", "credit_code", "headcount", "business_kind", "industry", "ownership",
		"restructured_on", "just_restructured", "revenue_last_year", "gross_profit", "existing_software", "branch_count",
		"purchase_plan", "region", "address", "phone", "website", "owner_id", "credit_limit", "fit_score", "fit_grade",
		"created_at", "updated_at"},
		func(w *importWriter, args []any, rec any) []any {
			a := rec.(*crm.Account)
			return append(args, a.Version, a.Name, a.CreditCode, intp(a.Headcount), a.BusinessKind, a.Industry, a.Ownership,
				w.db.dateArg(a.RestructuredOn), a.JustRestructured, int64p(a.RevenueLastYear), int64p(a.GrossProfit),
				joinList(a.ExistingSoftware), intp(a.BranchCount), a.PurchasePlan, a.Region, a.Address, a.Phone, a.Website,
				a.OwnerID, a.CreditLimit, intp(a.FitScore), a.FitGrade, w.t(a.CreatedAt), w.t(a.UpdatedAt))
		}},
	crm.KindContacts: {"contacts", []string{"version", "account_id", "name", "title", "functional_role", "phone", "email", "wechat",
		"notes", "created_at", "updated_at"},
		func(w *importWriter, args []any, rec any) []any {
			c := rec.(*crm.Contact)
			return append(args, c.Version, c.AccountID, c.Name, c.Title, c.FunctionalRole, c.Phone, c.Email, c.WeChat, c.Notes,
				w.t(c.CreatedAt), w.t(c.UpdatedAt))
		}},
	crm.KindDeals: {"deals", []string{"version", "account_id", "owner_id", "title", "stage", "amount", "expected_close_date",
		"probability", "next_step", "lost_reason", "stage_changed_at", "close_date_slips", "no_competitors", "created_at", "updated_at"},
		func(w *importWriter, args []any, rec any) []any {
			d := rec.(*crm.Deal)
			return append(args, d.Version, d.AccountID, d.OwnerID, d.Title, d.Stage, d.Amount, w.db.dateArg(d.ExpectedCloseDate),
				d.Probability, d.NextStep, d.LostReason, w.t(d.StageChangedAt), d.CloseDateSlips, d.NoCompetitors,
				w.t(d.CreatedAt), w.t(d.UpdatedAt))
		}},
	crm.KindActivities: {"activities", []string{"version", "type", "subject", "due_at", "done_at", "deal_id", "account_id",
		"contact_id", "notes", "owner_id", "created_at", "updated_at"},
		func(w *importWriter, args []any, rec any) []any {
			a := rec.(*crm.Activity)
			return append(args, a.Version, a.Type, a.Subject, w.tp(a.DueAt), w.tp(a.DoneAt), int64p(a.DealID),
				int64p(a.AccountID), int64p(a.ContactID), a.Notes, a.OwnerID, w.t(a.CreatedAt), w.t(a.UpdatedAt))
		}},
}

// dateArg is a date as a query argument: text on SQLite, a time at
// midnight UTC on PostgreSQL, whose COPY sends dates in binary and so
// takes no text for them.
func (db *DB) dateArg(d *crm.Date) any {
	if d == nil {
		return nil
	}
	if db.engine == Postgres {
		return d.Time
	}
	return d.String()
}

// importWriter writes one import's records into one open transaction:
// on SQLite as multi-row INSERTs through one prepared statement, on
// PostgreSQL with COPY on the transaction's own connection. Records are
// held back until a full batch is ready, so the caller may hand them over
// in blocks of any size.
type importWriter struct {
	db      *DB
	table   importTable
	conn    *sql.Conn
	tx      *sql.Tx
	full    *sql.Stmt // SQLite: the INSERT of a full batch
	per     int       // records a batch holds
	pending []any
	args    []any
	// the last time converted by t and its argument
	lastTime time.Time
	lastArg  any
}

// t is a time as a query argument. The records of an import mostly carry
// the same few times (when the import ran), so the last one converted is
// kept: formatting them was a visible part of writing on SQLite.
func (w *importWriter) t(t time.Time) any {
	if w.lastArg == nil || !t.Equal(w.lastTime) {
		w.lastTime, w.lastArg = t, w.db.t(t)
	}
	return w.lastArg
}

// tp is t for an optional time.
func (w *importWriter) tp(t *time.Time) any {
	if t == nil {
		return nil
	}
	return w.t(*t)
}

// BeginImport opens the transaction an import of a kind writes into.
func (db *DB) BeginImport(ctx context.Context, kind string) (crm.ImportWriter, error) {
	t, ok := importTables[kind]
	if !ok {
		return nil, crm.Errorf(crm.EINVALID, "error.invalid")
	}
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return nil, err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		conn.Close()
		return nil, err
	}
	w := &importWriter{db: db, table: t, conn: conn, tx: tx, per: importCopyRows}
	if db.engine == Postgres {
		if err := w.beginPostgres(ctx); err != nil {
			w.Rollback()
			return nil, err
		}
	} else {
		w.per = max(1, importBatchParams/len(t.cols))
		if w.full, err = tx.PrepareContext(ctx, w.insertSQL(w.per)); err != nil {
			w.Rollback()
			return nil, err
		}
	}
	return w, nil
}

// beginPostgres readies the import's PostgreSQL transaction.
//
// plan_cache_mode: the store's connections plan every statement with its
// arguments (customPlans), and that setting also reaches the statements
// PostgreSQL runs for each imported row: the foreign-key checks and the
// triggers' statements, then planned again for every row. The import's
// own statements are COPYs, which are not planned, so it lets PostgreSQL
// keep those per-row plans (auto, its default) for its transaction.
//
// synchronous_commit: the import is one transaction; not waiting for its
// commit record to reach the disk risks, on a crash of the server within
// a fraction of a second after the commit, losing the whole import (never
// part of it), which the user sees as an import to run again.
//
// The report summaries kept by triggers on deals are added to once per
// COPY, from its transition table (postgres migration 0017), not per row.
func (w *importWriter) beginPostgres(ctx context.Context) error {
	for _, set := range []string{"SET LOCAL plan_cache_mode = auto", "SET LOCAL synchronous_commit = off"} {
		if _, err := w.tx.ExecContext(ctx, set); err != nil {
			return err
		}
	}
	return nil
}

func (w *importWriter) insertSQL(rows int) string {
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(w.table.cols)), ", ") + ")"
	return w.db.q("INSERT INTO " + w.table.name + " (" + strings.Join(w.table.cols, ", ") + ") VALUES " +
		strings.TrimSuffix(strings.Repeat(one+", ", rows), ", "))
}

// Write adds records to the transaction, writing every full batch.
func (w *importWriter) Write(ctx context.Context, recs []any) error {
	w.pending = append(w.pending, recs...)
	n := len(w.pending) / w.per * w.per
	if n == 0 {
		return nil
	}
	if err := w.flush(ctx, w.pending[:n]); err != nil {
		return err
	}
	w.pending = append(w.pending[:0], w.pending[n:]...)
	return nil
}

// flush writes recs, in batches of w.per records.
func (w *importWriter) flush(ctx context.Context, recs []any) error {
	for start := 0; start < len(recs); start += w.per {
		batch := recs[start:min(len(recs), start+w.per)]
		var err error
		if w.db.engine == Postgres {
			err = w.copy(ctx, batch)
		} else {
			w.args = w.args[:0]
			for _, r := range batch {
				w.args = w.table.args(w, w.args, r)
			}
			if len(batch) == w.per {
				_, err = w.full.ExecContext(ctx, w.args...)
			} else {
				_, err = w.tx.ExecContext(ctx, w.insertSQL(len(batch)), w.args...)
			}
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
	}
	return nil
}

// copy sends records with COPY on the connection of the open transaction:
// database/sql hands out the driver's connection through Raw (the
// transaction keeps the connection, Raw only borrows it), and the COPY
// runs inside the transaction like any statement sent on it.
func (w *importWriter) copy(ctx context.Context, recs []any) error {
	rows := make([][]any, len(recs))
	vals := make([]any, 0, len(recs)*len(w.table.cols))
	for i, r := range recs {
		start := len(vals)
		vals = w.table.args(w, vals, r)
		rows[i] = vals[start:len(vals):len(vals)]
	}
	return w.conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return errors.New("store: COPY needs the pgx driver")
		}
		_, err := c.Conn().CopyFrom(ctx, pgx.Identifier{w.table.name}, w.table.cols, pgx.CopyFromRows(rows))
		return err
	})
}

// Commit writes the records still held back and the audit row, and
// commits.
func (w *importWriter) Commit(ctx context.Context, audit *crm.AuditEntry) error {
	if err := w.flush(ctx, w.pending); err != nil {
		w.Rollback()
		return err
	}
	w.pending = nil
	if err := w.db.insertAudit(ctx, w.tx, audit); err != nil {
		w.Rollback()
		return err
	}
	w.closeStmt()
	err := w.tx.Commit()
	w.conn.Close()
	return err
}

// Rollback undoes everything written; it is safe after Commit.
func (w *importWriter) Rollback() error {
	w.closeStmt()
	err := w.tx.Rollback()
	w.conn.Close()
	if errors.Is(err, sql.ErrTxDone) {
		return nil
	}
	return err
}

func (w *importWriter) closeStmt() {
	if w.full != nil {
		w.full.Close()
		w.full = nil
	}
}

// insertAll writes records of a kind in one transaction through an
// importWriter, in blocks of a batch, calling progress with the count
// written so far.
func (db *DB) insertAll(ctx context.Context, kind string, recs []any, audit *crm.AuditEntry, progress func(int)) error {
	w, err := db.BeginImport(ctx, kind)
	if err != nil {
		return err
	}
	block := max(1, importBatchParams/len(importTables[kind].cols))
	for start := 0; start < len(recs); start += block {
		end := min(len(recs), start+block)
		if err := w.Write(ctx, recs[start:end]); err != nil {
			w.Rollback()
			return err
		}
		if progress != nil {
			progress(end)
		}
	}
	return w.Commit(ctx, audit)
}

func anys[T any](xs []T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// InsertAccounts writes accounts in one transaction (see BeginImport).
func (db *DB) InsertAccounts(ctx context.Context, as []*crm.Account, audit *crm.AuditEntry, progress func(int)) error {
	return db.insertAll(ctx, crm.KindAccounts, anys(as), audit, progress)
}

// InsertContacts writes contacts in one transaction (see BeginImport).
func (db *DB) InsertContacts(ctx context.Context, cs []*crm.Contact, audit *crm.AuditEntry, progress func(int)) error {
	return db.insertAll(ctx, crm.KindContacts, anys(cs), audit, progress)
}

// InsertDeals writes deals in one transaction (see BeginImport).
func (db *DB) InsertDeals(ctx context.Context, ds []*crm.Deal, audit *crm.AuditEntry, progress func(int)) error {
	return db.insertAll(ctx, crm.KindDeals, anys(ds), audit, progress)
}

// InsertActivities writes activities in one transaction (see BeginImport).
func (db *DB) InsertActivities(ctx context.Context, as []*crm.Activity, audit *crm.AuditEntry, progress func(int)) error {
	return db.insertAll(ctx, crm.KindActivities, anys(as), audit, progress)
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
		done_rows, inserted_rows, bad_rows, error_key, result_json, file_data, created_at, updated_at, owner, heartbeat_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		j.UserID, j.Kind, j.Mode, j.FileName, j.Status, j.Phase, j.Total, j.Done, j.Inserted, j.Bad, j.ErrorKey,
		crm.MarshalResult(j.Result), j.FileData, db.t(j.CreatedAt), db.t(j.UpdatedAt), j.Owner, db.t(j.HeartbeatAt)).Scan(&j.ID)
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
