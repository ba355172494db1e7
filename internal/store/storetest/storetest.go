// Package storetest opens real databases for tests: always a fresh SQLite
// file, and a fresh PostgreSQL schema when DEALPATH_TEST_DATABASE_URL is set.
// Every test gets its own database, so tests never see each other's rows
// and parallel CI runs never collide.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/dealpath/dealpath/internal/store"
)

// EnvURL names the variable that points the tests at PostgreSQL.
const EnvURL = "DEALPATH_TEST_DATABASE_URL"

// Engines lists the engines this test run covers.
func Engines() []string {
	if os.Getenv(EnvURL) != "" {
		return []string{store.SQLite, store.Postgres}
	}
	return []string{store.SQLite}
}

// Each runs fn as a subtest once per engine, with a fresh migrated database.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, engine := range Engines() {
		t.Run(engine, func(t *testing.T) {
			fn(t, MustOpen(t, engine))
		})
	}
}

// MustOpen returns a fresh, migrated database of the engine, removed when
// the test ends.
func MustOpen(tb testing.TB, engine string) *store.DB {
	tb.Helper()
	db, _ := MustOpenURL(tb, engine)
	return db
}

// MustOpenURL is MustOpen that also returns how to reach the same database
// again: a PostgreSQL URL (for a second server instance) or the SQLite path.
func MustOpenURL(tb testing.TB, engine string) (*store.DB, string) {
	tb.Helper()
	ctx := context.Background()
	var db *store.DB
	var where string
	var err error
	switch engine {
	case store.SQLite:
		where = filepath.Join(tb.TempDir(), "dealpath.db")
		db, err = store.OpenSQLite(ctx, where)
	case store.Postgres:
		where = freshSchema(tb)
		db, err = store.Open(ctx, "", where)
	default:
		tb.Fatalf("unknown engine %q", engine)
	}
	if err != nil {
		tb.Fatalf("open %s: %v", engine, err)
	}
	tb.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		tb.Fatalf("migrate %s: %v", engine, err)
	}
	return db, where
}

// freshSchema creates a schema with a random name and returns a URL whose
// connections use it; the schema is dropped at cleanup.
func freshSchema(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv(EnvURL)
	if base == "" {
		tb.Skip(EnvURL + " is not set")
	}
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		tb.Fatal(err)
	}
	schema := "test_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		admin, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer admin.Close()
		admin.Exec("DROP SCHEMA " + schema + " CASCADE") //nolint:errcheck // best effort
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
