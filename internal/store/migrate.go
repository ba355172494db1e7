package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations
var migrationFS embed.FS

// Migration is one versioned schema change, kept per engine in
// migrations/<engine>/NNNN_name.sql.
type Migration struct {
	Version   int
	Name      string
	SQL       string
	AppliedAt *time.Time
}

// migrationLockID is the PostgreSQL advisory lock that keeps two instances
// starting at once from migrating the same database twice.
const migrationLockID = 720_513_001

func (db *DB) migrations() ([]Migration, error) {
	dir := path.Join("migrations", db.engine)
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, rest, ok := strings.Cut(strings.TrimSuffix(name, ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must be NNNN_name.sql", name)
		}
		b, err := fs.ReadFile(migrationFS, path.Join(dir, name))
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: rest, SQL: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i := 1; i < len(out); i++ {
		if out[i].Version == out[i-1].Version {
			return nil, fmt.Errorf("two migrations numbered %d", out[i].Version)
		}
	}
	return out, nil
}

func (db *DB) ensureMigrationTable(ctx context.Context, c querier) error {
	_, err := c.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TEXT NOT NULL)`)
	return err
}

// MigrationStatus lists every migration the binary knows, with the time it
// was applied or nil if it is pending (dealpath migrate --status).
func (db *DB) MigrationStatus(ctx context.Context) ([]Migration, error) {
	all, err := db.migrations()
	if err != nil {
		return nil, err
	}
	if err := db.ensureMigrationTable(ctx, db.write); err != nil {
		return nil, err
	}
	applied, err := db.appliedMigrations(ctx, db.read)
	if err != nil {
		return nil, err
	}
	for i := range all {
		if at, ok := applied[all[i].Version]; ok {
			all[i].AppliedAt = &at
		}
	}
	return all, nil
}

func (db *DB) appliedMigrations(ctx context.Context, c querier) (map[int]time.Time, error) {
	rows, err := c.QueryContext(ctx, "SELECT version, applied_at FROM schema_migrations")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int]time.Time{}
	for rows.Next() {
		var v int
		var at time.Time
		if err := rows.Scan(&v, timeCol{&at}); err != nil {
			return nil, err
		}
		out[v] = at
	}
	return out, rows.Err()
}

// Migrate applies the pending migrations, each in its own transaction, and
// returns how many it applied.
func (db *DB) Migrate(ctx context.Context) (int, error) {
	all, err := db.migrations()
	if err != nil {
		return 0, err
	}
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	if db.engine == Postgres {
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", migrationLockID); err != nil {
			return 0, err
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrationLockID) //nolint:errcheck // the lock also ends with the session
	}
	if err := db.ensureMigrationTable(ctx, conn); err != nil {
		return 0, err
	}
	applied, err := db.appliedMigrations(ctx, conn)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, m := range all {
		if _, ok := applied[m.Version]; ok {
			continue
		}
		if err := db.applyMigration(ctx, conn, m); err != nil {
			return n, fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
		}
		n++
	}
	return n, nil
}

func (db *DB) applyMigration(ctx context.Context, conn *sql.Conn, m Migration) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return rollback(tx, err)
	}
	_, err = tx.ExecContext(ctx, db.q("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)"),
		m.Version, m.Name, time.Now().UTC().Format(timeLayout))
	if err != nil {
		return rollback(tx, err)
	}
	return tx.Commit()
}

func rollback(tx *sql.Tx, err error) error {
	if rerr := tx.Rollback(); rerr != nil {
		return fmt.Errorf("%w (rollback: %v)", err, rerr)
	}
	return err
}
