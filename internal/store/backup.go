package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// ErrPostgresBackup is returned by Backup and Restore on PostgreSQL, whose
// own tools (pg_dump, pg_restore) make consistent copies of a live database;
// docs/operations.md gives the commands.
var ErrPostgresBackup = errors.New("on PostgreSQL use pg_dump and pg_restore (see docs/operations.md)")

// Backup writes a consistent copy of the live SQLite database to target,
// which must not exist yet. It uses VACUUM INTO, which reads the database
// inside one read transaction: writers keep going (WAL mode), and the copy
// holds exactly the rows committed when the backup began, compacted, with
// no WAL file beside it.
func (db *DB) Backup(ctx context.Context, target string) error {
	if db.engine != SQLite {
		return ErrPostgresBackup
	}
	abs, err := filepath.Abs(target)
	if err != nil {
		return err
	}
	// Refuse an existing file: VACUUM INTO would refuse too, but with a
	// message about SQLite rather than about the file.
	if _, err := os.Lstat(abs); err == nil {
		return fmt.Errorf("backup target %s already exists", target)
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if _, err := db.read.ExecContext(ctx, "VACUUM INTO ?", abs); err != nil {
		os.Remove(abs) //nolint:errcheck // best effort: leave no half-written copy
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}

// CheckBackup tells whether the file at path is a sound dealpath SQLite
// database: SQLite's integrity check passes and it has dealpath's
// migrations table with at least the first migration applied. It returns
// the highest migration version the file holds.
func CheckBackup(ctx context.Context, path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	head := make([]byte, 16)
	_, err = io.ReadFull(f, head)
	f.Close()
	if err != nil || string(head) != "SQLite format 3\x00" {
		return 0, fmt.Errorf("%s is not an SQLite database", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return 0, err
	}
	// Read-only and immutable: checking must not create a WAL beside the
	// file or change it in any way.
	conn, err := sql.Open("sqlite", "file:"+abs+"?mode=ro&immutable=1")
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	rows, err := conn.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return 0, err
		}
		if s != "ok" {
			problems = append(problems, s)
		}
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return 0, err
	}
	rows.Close()
	if len(problems) > 0 {
		if len(problems) > 5 {
			problems = problems[:5]
		}
		return 0, fmt.Errorf("%s fails the integrity check: %s", path, strings.Join(problems, "; "))
	}
	var version sql.NullInt64
	if err := conn.QueryRowContext(ctx, "SELECT MAX(version) FROM schema_migrations").Scan(&version); err != nil {
		return 0, fmt.Errorf("%s is not a dealpath database (no migrations table)", path)
	}
	if !version.Valid {
		return 0, fmt.Errorf("%s is not a dealpath database (no migration applied)", path)
	}
	return int(version.Int64), nil
}

// Restore copies the backup at file into dataDir as its database, after
// CheckBackup accepts it. dataDir must be missing or empty, so a restore
// never overwrites a database. The next Open and Migrate bring the copy up
// to the running version.
func Restore(ctx context.Context, file, dataDir string) error {
	entries, err := os.ReadDir(dataDir)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return err
	case len(entries) > 0:
		return fmt.Errorf("data directory %s is not empty", dataDir)
	}
	if _, err := CheckBackup(ctx, file); err != nil {
		return err
	}
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}
	target := filepath.Join(dataDir, "dealpath.db")
	tmp := target + ".restoring"
	if err := copyFile(file, tmp); err != nil {
		os.Remove(tmp) //nolint:errcheck // best effort
		return err
	}
	return os.Rename(tmp, target)
}

// copyFile copies src to a new file dst and syncs it to disk.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
