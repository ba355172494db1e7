package store_test

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"testing"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/store"
	"github.com/dealpath/dealpath/internal/store/storetest"
)

// rawConns opens two connections of their own to the test's database, as
// two server instances (or two requests) would hold, and a table of two
// rows for them to fight over.
func rawConns(t *testing.T, engine, where string) (*sql.Conn, *sql.Conn) {
	t.Helper()
	ctx := context.Background()
	driver, dsn := "pgx", where
	if engine == store.SQLite {
		// No busy wait: the second writer is told at once.
		driver, dsn = "sqlite", "file:"+where+"?_pragma=busy_timeout(0)"
	}
	raw, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	for _, q := range []string{"CREATE TABLE race (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)", "INSERT INTO race VALUES (1, 0), (2, 0)"} {
		if _, err := raw.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	c1, err := raw.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c1.Close() })
	c2, err := raw.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c2.Close() })
	return c1, c2
}

func mustExec(t *testing.T, c *sql.Conn, queries ...string) {
	t.Helper()
	for _, q := range queries {
		if _, err := c.ExecContext(context.Background(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// checkUnavailable asserts that the store classifies err as a busy
// database, keeping the engine's error as the cause.
func checkUnavailable(t *testing.T, db *store.DB, err error) {
	t.Helper()
	if err == nil {
		t.Fatal("no error, want the engine to refuse")
	}
	got := db.ClassifyError(err)
	if crm.ErrorCode(got) != crm.EUNAVAILABLE || !errors.Is(got, err) {
		t.Errorf("%v classified as %v, want unavailable wrapping it", err, got)
	}
}

// TestClassifyBusyErrors makes each engine refuse for being busy, for
// real, and checks that the store names it crm.EUNAVAILABLE: a deadlock, a
// serialization failure and a lock not available on PostgreSQL, a busy
// database on SQLite. Other errors keep their meaning.
func TestClassifyBusyErrors(t *testing.T) {
	ctx := context.Background()
	for _, engine := range storetest.Engines() {
		t.Run(engine, func(t *testing.T) {
			if engine == store.SQLite {
				db, where := storetest.MustOpenURL(t, engine)
				c1, c2 := rawConns(t, engine, where)
				mustExec(t, c1, "BEGIN IMMEDIATE")
				_, err := c2.ExecContext(ctx, "BEGIN IMMEDIATE")
				checkUnavailable(t, db, err)
				mustExec(t, c1, "ROLLBACK")
				return
			}
			t.Run("deadlock", func(t *testing.T) {
				db, where := storetest.MustOpenURL(t, engine)
				c1, c2 := rawConns(t, engine, where)
				mustExec(t, c1, "BEGIN", "UPDATE race SET n = n + 1 WHERE id = 1")
				mustExec(t, c2, "BEGIN", "UPDATE race SET n = n + 1 WHERE id = 2")
				// Each now takes the row the other holds: PostgreSQL
				// picks one to fail with 40P01 and the other goes on.
				var wg sync.WaitGroup
				errs := make([]error, 2)
				for i, step := range []struct {
					c  *sql.Conn
					id int
				}{{c1, 2}, {c2, 1}} {
					wg.Add(1)
					go func() {
						defer wg.Done()
						_, errs[i] = step.c.ExecContext(ctx, "UPDATE race SET n = n + 1 WHERE id = $1", step.id)
						if errs[i] != nil {
							_, _ = step.c.ExecContext(ctx, "ROLLBACK")
						}
					}()
				}
				wg.Wait()
				mustExec(t, c1, "ROLLBACK")
				mustExec(t, c2, "ROLLBACK")
				failed := errors.Join(errs...)
				if errs[0] != nil && errs[1] != nil {
					t.Fatalf("both failed: %v", failed)
				}
				checkUnavailable(t, db, failed)
			})
			t.Run("serialization", func(t *testing.T) {
				db, where := storetest.MustOpenURL(t, engine)
				c1, c2 := rawConns(t, engine, where)
				mustExec(t, c1, "BEGIN ISOLATION LEVEL REPEATABLE READ", "SELECT n FROM race WHERE id = 1")
				mustExec(t, c2, "UPDATE race SET n = n + 1 WHERE id = 1")
				_, err := c1.ExecContext(ctx, "UPDATE race SET n = n + 1 WHERE id = 1")
				checkUnavailable(t, db, err)
				mustExec(t, c1, "ROLLBACK")
			})
			t.Run("lock not available", func(t *testing.T) {
				db, where := storetest.MustOpenURL(t, engine)
				c1, c2 := rawConns(t, engine, where)
				mustExec(t, c1, "BEGIN", "SELECT n FROM race WHERE id = 1 FOR UPDATE")
				_, err := c2.ExecContext(ctx, "SELECT n FROM race WHERE id = 1 FOR UPDATE NOWAIT")
				checkUnavailable(t, db, err)
				mustExec(t, c1, "ROLLBACK")
			})
		})
	}
	// Not every error is the database being busy.
	db := storetest.MustOpen(t, store.SQLite)
	c1, _ := rawConns(t, store.SQLite, t.TempDir()+"/other.db")
	_, dup := c1.ExecContext(ctx, "INSERT INTO race VALUES (1, 0)")
	for _, err := range []error{dup, errors.New("boom"), crm.NotFound("account")} {
		if got := db.ClassifyError(err); got != err {
			t.Errorf("%v classified as %v, want it unchanged", err, got)
		}
	}
}
