package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/store"
	"github.com/dealpath/dealpath/internal/store/storetest"
)

// countDeals counts live deals.
func countDeals(t *testing.T, db *sql.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM deals").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestBackupUnderWritesRestoresConsistent backs up a live SQLite database
// while writers create accounts and deals and update deals (each update
// writes its audit row in the same transaction), restores the copy into a
// new data directory, and checks that the copy is one moment of the
// database: integrity ok, migrations current, every deal's account present,
// every deal's version matching its audit rows, and a deal count between
// the counts before and after the backup.
func TestBackupUnderWritesRestoresConsistent(t *testing.T) {
	ctx := context.Background()
	db, path := storetest.MustOpenURL(t, store.SQLite)
	owner := mustUser(t, db, "rep1", crm.RoleRep, nil)
	raw, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var writes atomic.Int64
	errc := make(chan error, 4)
	for w := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				a := &crm.Account{Version: 1, Name: fmt.Sprintf("写入者%d公司%d", w, i), OwnerID: owner.ID, ExistingSoftware: []string{}, CreatedAt: t0, UpdatedAt: t0}
				if err := db.CreateAccount(ctx, a); err != nil {
					errc <- err
					return
				}
				d := &crm.Deal{Version: 1, AccountID: a.ID, OwnerID: owner.ID, Title: "项目", Stage: crm.StageProspecting,
					StageChangedAt: t0, CreatedAt: t0, UpdatedAt: t0}
				if err := db.CreateDeal(ctx, d); err != nil {
					errc <- err
					return
				}
				for v := int64(1); v <= int64(i%3); v++ {
					d.Amount += 100
					audit := &crm.AuditEntry{ActorID: owner.ID, EntityType: "deal", EntityID: d.ID, Action: "update", CreatedAt: t0}
					if err := db.UpdateDeal(ctx, d, v, audit); err != nil {
						errc <- err
						return
					}
				}
				writes.Add(1)
			}
		}()
	}
	// Back up in the middle of the stream: after some writes, while they go on.
	for writes.Load() < 60 {
		select {
		case err := <-errc:
			t.Fatal(err)
		default:
		}
		time.Sleep(time.Millisecond)
	}
	before := countDeals(t, raw)
	file := filepath.Join(t.TempDir(), "backup.db")
	if err := db.Backup(ctx, file); err != nil {
		close(stop)
		wg.Wait()
		t.Fatal(err)
	}
	mid := writes.Load()
	for writes.Load() < mid+30 {
		select {
		case err := <-errc:
			t.Fatal(err)
		default:
		}
		time.Sleep(time.Millisecond)
	}
	close(stop)
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	after := countDeals(t, raw)

	if err := db.Backup(ctx, file); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Fatalf("backup onto an existing file: %v", err)
	}

	dir := filepath.Join(t.TempDir(), "restored")
	if err := store.Restore(ctx, file, dir); err != nil {
		t.Fatal(err)
	}
	if err := store.Restore(ctx, file, dir); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("restore into a non-empty directory: %v", err)
	}
	rdb, err := store.Open(ctx, dir, "")
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	if n, err := rdb.Migrate(ctx); err != nil || n != 0 {
		t.Fatalf("restored copy needs %d migrations (%v); want current", n, err)
	}
	if _, err := store.CheckBackup(ctx, filepath.Join(dir, "dealpath.db")); err != nil {
		t.Fatal(err)
	}
	rraw, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "dealpath.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer rraw.Close()
	got := countDeals(t, rraw)
	if got < before || got >= after {
		t.Fatalf("backup holds %d deals; want between %d (before) and %d (after, exclusive)", got, before, after)
	}
	checks := map[string]string{
		"deals without their account": `SELECT COUNT(*) FROM deals d LEFT JOIN accounts a ON a.id = d.account_id WHERE a.id IS NULL`,
		"accounts without their deal": `SELECT COUNT(*) FROM accounts a WHERE a.name LIKE '写入者%' AND NOT EXISTS (SELECT 1 FROM deals d WHERE d.account_id = a.id)`,
		"deals whose version disagrees with their audit rows": `SELECT COUNT(*) FROM deals d
			WHERE d.version - 1 <> (SELECT COUNT(*) FROM audit_log l WHERE l.entity_type = 'deal' AND l.entity_id = d.id AND l.action = 'update')`,
		"deals whose amount disagrees with their version": `SELECT COUNT(*) FROM deals d WHERE d.amount <> (d.version - 1) * 100`,
	}
	for what, query := range checks {
		var n int
		if err := rraw.QueryRow(query).Scan(&n); err != nil {
			t.Fatal(err)
		}
		// An account is committed before its deal, so the backup may hold
		// at most one account per writer whose deal came later.
		if what == "accounts without their deal" && n <= 3 {
			continue
		}
		if n != 0 {
			t.Errorf("%s: %d", what, n)
		}
	}
	var fk int
	if err := rraw.QueryRow("SELECT COUNT(*) FROM pragma_foreign_key_check").Scan(&fk); err != nil {
		t.Fatal(err)
	}
	if fk != 0 {
		t.Errorf("foreign key check: %d rows", fk)
	}
}

func TestRestoreRefusesWhatIsNotADealpathDatabase(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(text, []byte("not a database at all, just some text"), 0o600); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "other.db")
	odb, err := sql.Open("sqlite", "file:"+other)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := odb.Exec("CREATE TABLE t (x INTEGER)"); err != nil {
		t.Fatal(err)
	}
	odb.Close()
	for file, want := range map[string]string{
		text:                          "not an SQLite database",
		other:                         "not a dealpath database",
		filepath.Join(dir, "missing"): "no such file",
	} {
		target := filepath.Join(t.TempDir(), "data")
		err := store.Restore(ctx, file, target)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("restore %s: %v, want %q", filepath.Base(file), err, want)
		}
		if _, err := os.Stat(filepath.Join(target, "dealpath.db")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("restore %s left a database behind", filepath.Base(file))
		}
	}
}

func TestBackupOnPostgresPointsToPgDump(t *testing.T) {
	if len(storetest.Engines()) < 2 {
		t.Skip(storetest.EnvURL + " is not set")
	}
	db := storetest.MustOpen(t, store.Postgres)
	if err := db.Backup(context.Background(), filepath.Join(t.TempDir(), "x.db")); !errors.Is(err, store.ErrPostgresBackup) {
		t.Fatalf("backup on PostgreSQL: %v", err)
	}
}
