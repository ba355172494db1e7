package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/dealpath/dealpath/internal/store"
)

// EnvBenchKeep names the variable that keeps the seeded benchmark
// databases between runs: a directory, where SQLite databases are kept as
// files; PostgreSQL ones are kept as databases on the server of EnvURL.
// Seeding 1,000,000 deals takes many minutes (20+ on PostgreSQL), so a
// kept database is seeded once and then reused. Unset, every run seeds a
// fresh database that is removed at the end.
const EnvBenchKeep = "DEALPATH_BENCH_KEEP"

// OpenBench opens the database a benchmark seeds with its data set, kind
// (e.g. "reports") at size n. Without EnvBenchKeep it is MustOpenURL: a
// fresh database, and seeded is false. With it, it is the kept database
// for kind and n — SQLite <dir>/<kind>-<n>.db, PostgreSQL database
// dealpath_bench_<kind>_<n> — created if missing and opened and migrated
// like the application's, so migrations added since it was seeded are
// applied (with their backfills) before the benchmark reads it. seeded
// tells whether it already holds deals; if it does not, it is emptied
// first (an interrupted seed may have left users behind), and the caller
// seeds it as it would a fresh one.
func OpenBench(tb testing.TB, engine, kind string, n int) (db *store.DB, where string, seeded bool) {
	tb.Helper()
	dir := os.Getenv(EnvBenchKeep)
	if dir == "" {
		db, where = MustOpenURL(tb, engine)
		return db, where, false
	}
	ctx := context.Background()
	db, where, applied := openKept(tb, engine, dir, kind, n)
	raw := openRaw(tb, engine, where)
	defer raw.Close()
	var deals, users int
	if err := raw.QueryRowContext(ctx, "SELECT (SELECT COUNT(*) FROM deals), (SELECT COUNT(*) FROM users)").Scan(&deals, &users); err != nil {
		tb.Fatalf("count kept rows: %v", err)
	}
	if deals > 0 {
		if applied > 0 && engine == store.Postgres {
			// New migrations' backfills leave dead rows and stale
			// statistics, which a fresh seed's VACUUM ANALYZE would not.
			if _, err := raw.ExecContext(ctx, "VACUUM ANALYZE"); err != nil {
				tb.Fatalf("vacuum kept database: %v", err)
			}
		}
		tb.Logf("%s: kept %s database %s, %d deals, %d migrations applied now", EnvBenchKeep, engine, keptName(engine, dir, kind, n), deals, applied)
		return db, where, true
	}
	if users > 0 {
		raw.Close()
		db.Close()
		dropKept(tb, engine, dir, kind, n)
		db, where, _ = openKept(tb, engine, dir, kind, n)
	}
	tb.Logf("%s: seeding kept %s database %s", EnvBenchKeep, engine, keptName(engine, dir, kind, n))
	return db, where, false
}

// openRaw opens a plain connection pool to where, for the statements the
// store has no method for.
func openRaw(tb testing.TB, engine, where string) *sql.DB {
	tb.Helper()
	var raw *sql.DB
	var err error
	if engine == store.Postgres {
		raw, err = sql.Open("pgx", where)
	} else {
		raw, err = sql.Open("sqlite", "file:"+where+"?_pragma=busy_timeout(10000)")
	}
	if err != nil {
		tb.Fatal(err)
	}
	return raw
}

// keptName is the SQLite path or the PostgreSQL database name.
func keptName(engine, dir, kind string, n int) string {
	if engine == store.Postgres {
		return fmt.Sprintf("dealpath_bench_%s_%d", kind, n)
	}
	return filepath.Join(dir, fmt.Sprintf("%s-%d.db", kind, n))
}

// openKept opens and migrates the kept database, creating it if missing,
// and returns how many migrations it applied.
func openKept(tb testing.TB, engine, dir, kind string, n int) (*store.DB, string, int) {
	tb.Helper()
	ctx := context.Background()
	var db *store.DB
	var where string
	var err error
	switch engine {
	case store.SQLite:
		if err := os.MkdirAll(dir, 0o750); err != nil {
			tb.Fatal(err)
		}
		where = keptName(engine, dir, kind, n)
		db, err = store.OpenSQLite(ctx, where)
	case store.Postgres:
		where = keptDatabase(tb, keptName(engine, dir, kind, n))
		db, err = store.Open(ctx, "", where)
	default:
		tb.Fatalf("unknown engine %q", engine)
	}
	if err != nil {
		tb.Fatalf("open kept %s: %v", engine, err)
	}
	tb.Cleanup(func() { db.Close() })
	applied, err := db.Migrate(ctx)
	if err != nil {
		tb.Fatalf("migrate kept %s: %v", engine, err)
	}
	return db, where, applied
}

// keptDatabase creates the database name on the server of EnvURL if it
// does not exist, and returns the URL that reaches it.
func keptDatabase(tb testing.TB, name string) string {
	tb.Helper()
	base := os.Getenv(EnvURL)
	if base == "" {
		tb.Skip(EnvURL + " is not set")
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatal(err)
	}
	defer admin.Close()
	var exists bool
	if err := admin.QueryRow("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		tb.Fatalf("look for database %s: %v", name, err)
	}
	if !exists {
		if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
			tb.Fatalf("create database %s: %v", name, err)
		}
	}
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// dropKept removes the kept database, so that it is created anew.
func dropKept(tb testing.TB, engine, dir, kind string, n int) {
	tb.Helper()
	name := keptName(engine, dir, kind, n)
	if engine == store.SQLite {
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Remove(name + suffix); err != nil && !os.IsNotExist(err) {
				tb.Fatal(err)
			}
		}
		return
	}
	admin, err := sql.Open("pgx", os.Getenv(EnvURL))
	if err != nil {
		tb.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
		tb.Fatalf("drop database %s: %v", name, err)
	}
}
