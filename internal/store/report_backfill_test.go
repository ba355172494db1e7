package store_test

import (
	"context"
	"fmt"
	"os"
	"reflect"
	"testing"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/store"
	"github.com/dealpath/dealpath/internal/store/storetest"
)

// TestReportSummaryMigrationsBackfill takes a database back to before
// migrations 0012 and 0013, writes deals and activities, and migrates
// again: the month summary and deals.last_activity_at must then hold the
// rows written before they existed.
func TestReportSummaryMigrationsBackfill(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			db, where := storetest.MustOpenURL(t, engine)
			raw := openRaw(t, engine, where)
			exec := func(stmts ...string) {
				t.Helper()
				for _, st := range stmts {
					if _, err := raw.ExecContext(ctx, st); err != nil {
						t.Fatalf("%s: %v", st, err)
					}
				}
			}
			r1 := mustUser(t, db, "r1", crm.RoleRep, nil)
			r2 := mustUser(t, db, "r2", crm.RoleRep, nil)
			acc := mustAccount(t, db, "甲公司", r1.ID)

			undo := []string{`DROP INDEX deals_idle`, `DROP INDEX deals_owner_idle`}
			if engine == store.Postgres {
				lock, err := os.ReadFile("migrations/postgres/0011_report_lock_order.sql")
				if err != nil {
					t.Fatal(err)
				}
				// 0017's statement trigger writes the month rows: back to
				// the row triggers of inserts it replaced, and 0017 is
				// applied again after 0012.
				undo = append(undo, `DROP TRIGGER deal_insert_summaries ON deals`, `DROP FUNCTION deal_insert_summaries()`)
				for _, fn := range []string{"report_pipeline_sync", "report_forecast_sync", "report_pipeline_changes_sync", "deal_stage_entries_sync"} {
					undo = append(undo, `DROP TRIGGER `+fn+` ON deals`,
						`CREATE TRIGGER `+fn+` AFTER INSERT OR UPDATE OR DELETE ON deals FOR EACH ROW EXECUTE FUNCTION `+fn+`()`)
				}
				undo = append(undo, `DELETE FROM schema_migrations WHERE version = 17`)
				undo = append(undo, `DROP TRIGGER deals_last_activity_sync ON activities`, `DROP FUNCTION deals_last_activity_sync()`,
					string(lock)) // 0011's trigger function, without the month rows
			} else {
				undo = append(undo, `DROP TRIGGER deals_last_activity_insert`, `DROP TRIGGER deals_last_activity_update`,
					`DROP TRIGGER deals_last_activity_delete`, `DROP TRIGGER report_forecast_months_insert`,
					`DROP TRIGGER report_forecast_months_update`, `DROP TRIGGER report_forecast_months_delete`)
			}
			undo = append(undo, `ALTER TABLE deals DROP COLUMN last_activity_at`, `DROP TABLE report_forecast_months`,
				`DELETE FROM schema_migrations WHERE version IN (12, 13)`)
			exec(undo...)

			var stmts []string
			for i := range 40 {
				owner, close, deleted := r1.ID, fmt.Sprintf("'2026-%02d-%02d'", 1+i%12, 1+i%28), "NULL"
				if i%3 == 0 {
					owner = r2.ID
				}
				if i%7 == 0 {
					close = "NULL"
				}
				if i%11 == 0 {
					deleted = "'2026-10-01T00:00:00.000000Z'"
				}
				stmts = append(stmts, fmt.Sprintf(`INSERT INTO deals (id, account_id, owner_id, title, stage, amount, expected_close_date, probability,
					stage_changed_at, created_at, updated_at, deleted_at) VALUES (%d, %d, %d, '商机', '%s', %d, %s, 0,
					'2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z', %s)`,
					i+1, acc.ID, owner, []string{"demo", "commit", "lost"}[i%3], 1000*(i+1), close, deleted))
			}
			for i := range 60 {
				done, del := fmt.Sprintf("'2026-10-%02dT08:00:00.000000Z'", 1+i%30), "NULL"
				if i%4 == 0 {
					done = "NULL"
				}
				if i%9 == 0 {
					del = "'2026-10-15T00:00:00.000000Z'"
				}
				stmts = append(stmts, fmt.Sprintf(`INSERT INTO activities (type, subject, done_at, deal_id, owner_id, created_at, updated_at, deleted_at)
					VALUES ('call', '跟进', %s, %d, %d, '2026-09-%02dT00:00:00.000000Z', '2026-09-01T00:00:00.000000Z', %s)`,
					done, 1+i%25, r1.ID, 1+i%30, del))
			}
			exec(stmts...)
			want := 2 // 0012 and 0013
			if engine == store.Postgres {
				want = 3 // and 0017
			}
			if n, err := db.Migrate(ctx); err != nil || n != want {
				t.Fatalf("migrate: %d applied, %v", n, err)
			}

			month := "substr(expected_close_date, 1, 7)"
			if engine == store.Postgres {
				month = "to_char(expected_close_date, 'YYYY-MM')"
			}
			query := func(q string) [][5]string {
				t.Helper()
				rs, err := raw.QueryContext(ctx, q)
				if err != nil {
					t.Fatalf("%s: %v", q, err)
				}
				defer rs.Close()
				var out [][5]string
				for rs.Next() {
					var c [5]any
					if err := rs.Scan(&c[0], &c[1], &c[2], &c[3], &c[4]); err != nil {
						t.Fatal(err)
					}
					var row [5]string
					for i, v := range c {
						row[i] = fmt.Sprint(v)
					}
					out = append(out, row)
				}
				if err := rs.Err(); err != nil {
					t.Fatal(err)
				}
				return out
			}
			same := func(what, got, want string) {
				t.Helper()
				g, w := query(got), query(want)
				if len(w) == 0 || !reflect.DeepEqual(g, w) {
					t.Errorf("%s:\n got %v\nwant %v", what, g, w)
				}
			}
			same("month summary", `SELECT month, owner_id, stage, deals, amount FROM report_forecast_months ORDER BY 1, 2, 3`,
				`SELECT `+month+`, owner_id, stage, COUNT(*), SUM(amount) FROM deals WHERE deleted_at IS NULL AND expected_close_date IS NOT NULL
				GROUP BY `+month+`, owner_id, stage ORDER BY 1, 2, 3`)
			same("last activity", `SELECT id, last_activity_at, 0, 0, 0 FROM deals ORDER BY id`,
				`SELECT d.id, (SELECT MAX(COALESCE(t.done_at, t.created_at)) FROM activities t WHERE t.deal_id = d.id AND t.deleted_at IS NULL), 0, 0, 0
				FROM deals d ORDER BY d.id`)
			// And the triggers are back.
			exec(`UPDATE deals SET expected_close_date = '2027-05-05' WHERE id = 2`, `UPDATE activities SET done_at = NULL WHERE deal_id = 3`)
			same("month summary after a move", `SELECT month, owner_id, stage, deals, amount FROM report_forecast_months WHERE deals <> 0 ORDER BY 1, 2, 3`,
				`SELECT `+month+`, owner_id, stage, COUNT(*), SUM(amount) FROM deals WHERE deleted_at IS NULL AND expected_close_date IS NOT NULL
				GROUP BY `+month+`, owner_id, stage ORDER BY 1, 2, 3`)
			same("last activity after a change", `SELECT id, last_activity_at, 0, 0, 0 FROM deals ORDER BY id`,
				`SELECT d.id, (SELECT MAX(COALESCE(t.done_at, t.created_at)) FROM activities t WHERE t.deal_id = d.id AND t.deleted_at IS NULL), 0, 0, 0
				FROM deals d ORDER BY d.id`)
		})
	}
}
