// Package store implements crm's storage interfaces over database/sql, on
// embedded SQLite (modernc.org/sqlite, no cgo) and on PostgreSQL (pgx). The
// SQL is written once with ? placeholders; the few places where the engines
// differ (placeholders, time columns, errors) are handled here.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/dealpath/dealpath/internal/crm"

	_ "github.com/jackc/pgx/v5/stdlib" // registers driver "pgx"
	_ "modernc.org/sqlite"             // registers driver "sqlite"
)

// Engine names.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// DB is the store. It implements crm.Store.
type DB struct {
	engine string
	// write takes every transaction and write. On SQLite it holds a single
	// connection, because SQLite has one writer at a time and queuing in Go
	// beats retrying on SQLITE_BUSY. On PostgreSQL it is the same pool as read.
	write *sql.DB
	// read serves queries outside transactions.
	read *sql.DB
}

var _ crm.Store = (*DB)(nil)

// Engine returns SQLite or Postgres.
func (db *DB) Engine() string { return db.engine }

// IsPostgresURL tells a PostgreSQL connection URL from a data directory.
func IsPostgresURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// Open opens the database: PostgreSQL when databaseURL is set, otherwise
// SQLite in dataDir/dealpath.db (the directory is created). It does not
// migrate; call Migrate.
func Open(ctx context.Context, dataDir, databaseURL string) (*DB, error) {
	if databaseURL != "" {
		if !IsPostgresURL(databaseURL) {
			return nil, fmt.Errorf("database URL must start with postgres://")
		}
		return openPostgres(ctx, databaseURL)
	}
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	return OpenSQLite(ctx, filepath.Join(dataDir, "dealpath.db"))
}

// sqlitePragmas are set on every connection: WAL lets readers run beside the
// writer; NORMAL synchronous is safe in WAL mode and much faster; the busy
// timeout covers the other process (a CLI command beside the server).
const sqlitePragmas = "_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"

// OpenSQLite opens (creating if needed) the SQLite database at path.
func OpenSQLite(ctx context.Context, path string) (*DB, error) {
	dsn := "file:" + path + "?" + sqlitePragmas
	// Transactions begin IMMEDIATE so that a read-then-write transaction
	// never fails halfway with "database is locked".
	write, err := sql.Open("sqlite", dsn+"&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	write.SetMaxOpenConns(1)
	write.SetConnMaxIdleTime(0)
	read, err := sql.Open("sqlite", dsn)
	if err != nil {
		write.Close()
		return nil, err
	}
	read.SetMaxOpenConns(8)
	read.SetMaxIdleConns(8)
	db := &DB{engine: SQLite, write: write, read: read}
	if err := db.Ping(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return db, nil
}

// customPlans makes PostgreSQL plan each statement with its arguments.
// pgx prepares statements, and after five runs PostgreSQL may switch a
// prepared statement to a generic plan, made without the arguments. For a
// list with a text search that plan walks the sort index hoping for an
// early stop and reads every row when the text is rare: 4 s instead of
// 5 ms at 1,000,000 deals (docs/benchmarks.md, "Scale proof"). Planning
// each time costs a fraction of a millisecond. A URL that sets
// plan_cache_mode itself keeps its choice.
func customPlans(url string) string {
	if strings.Contains(url, "plan_cache_mode=") {
		return url
	}
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	return url + sep + "plan_cache_mode=force_custom_plan"
}

func openPostgres(ctx context.Context, url string) (*DB, error) {
	pool, err := sql.Open("pgx", customPlans(url))
	if err != nil {
		return nil, err
	}
	pool.SetMaxOpenConns(20)
	pool.SetMaxIdleConns(20)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	db := &DB{engine: Postgres, write: pool, read: pool}
	if err := db.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	return db, nil
}

// Close closes the connections.
func (db *DB) Close() error {
	err := db.write.Close()
	if db.read != db.write {
		if rerr := db.read.Close(); err == nil {
			err = rerr
		}
	}
	return err
}

// Ping checks that the database answers (GET /healthz).
func (db *DB) Ping(ctx context.Context) error {
	var one int
	return db.read.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// q rewrites ? placeholders into $1, $2… for PostgreSQL. Queries in this
// package never contain a literal question mark.
func (db *DB) q(query string) string {
	if db.engine != Postgres {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// forShare locks the rows a query reads against concurrent updates until
// the transaction ends, on PostgreSQL ("FOR SHARE [OF alias]"). SQLite needs
// nothing: its single writer already serializes write transactions.
func (db *DB) forShare(alias string) string {
	if db.engine != Postgres {
		return ""
	}
	if alias != "" {
		return " FOR SHARE OF " + alias
	}
	return " FOR SHARE"
}

// inTx runs fn in a write transaction and commits when it returns nil.
func (db *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		if rerr := tx.Rollback(); rerr != nil && !errors.Is(rerr, sql.ErrTxDone) {
			return errors.Join(err, rerr)
		}
		return err
	}
	return tx.Commit()
}

// timeLayout is how SQLite keeps times: fixed width, so that text order is
// time order and range scans on indexes work.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// t converts a time into a query argument for the engine.
func (db *DB) t(t time.Time) any {
	t = t.UTC().Truncate(time.Microsecond)
	if db.engine == Postgres {
		return t
	}
	return t.Format(timeLayout)
}

// tp converts a nullable time.
func (db *DB) tp(t *time.Time) any {
	if t == nil {
		return nil
	}
	return db.t(*t)
}

// dp converts a nullable date.
func dp(d *crm.Date) any {
	if d == nil {
		return nil
	}
	return d.String()
}

// timeCol scans a time column of either engine.
type timeCol struct{ t *time.Time }

func (c timeCol) Scan(src any) error {
	switch v := src.(type) {
	case time.Time:
		*c.t = v.UTC()
	case string:
		return c.parse(v)
	case []byte:
		return c.parse(string(v))
	default:
		return fmt.Errorf("store: cannot scan %T into time", src)
	}
	return nil
}

func (c timeCol) parse(s string) error {
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return err
	}
	*c.t = v.UTC()
	return nil
}

// nullTimeCol scans a nullable time column.
type nullTimeCol struct{ t **time.Time }

func (c nullTimeCol) Scan(src any) error {
	if src == nil {
		*c.t = nil
		return nil
	}
	var v time.Time
	if err := (timeCol{&v}).Scan(src); err != nil {
		return err
	}
	*c.t = &v
	return nil
}

// nullDateCol scans a nullable date column.
type nullDateCol struct{ d **crm.Date }

func (c nullDateCol) Scan(src any) error {
	if src == nil {
		*c.d = nil
		return nil
	}
	var d crm.Date
	if err := d.Scan(src); err != nil {
		return err
	}
	*c.d = &d
	return nil
}

// nullIntCol scans a nullable integer into *int.
type nullIntCol struct{ p **int }

func (c nullIntCol) Scan(src any) error {
	var n sql.NullInt64
	if err := n.Scan(src); err != nil {
		return err
	}
	if !n.Valid {
		*c.p = nil
		return nil
	}
	v := int(n.Int64)
	*c.p = &v
	return nil
}

// nullInt64Col scans a nullable integer into *int64.
type nullInt64Col struct{ p **int64 }

func (c nullInt64Col) Scan(src any) error {
	var n sql.NullInt64
	if err := n.Scan(src); err != nil {
		return err
	}
	if !n.Valid {
		*c.p = nil
		return nil
	}
	v := n.Int64
	*c.p = &v
	return nil
}

func intp(p *int) any {
	if p == nil {
		return nil
	}
	return int64(*p)
}

func int64p(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}
