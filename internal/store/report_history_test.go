package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/store"
	"github.com/dealpath/dealpath/internal/store/storetest"
)

// rawLines is rawText in sorted order, for queries without ORDER BY.
func rawLines(t *testing.T, raw *sql.DB, query string) []string {
	t.Helper()
	out := rawText(t, raw, query)
	sort.Strings(out)
	return out
}

// auditAsOf is the pipeline as of a time as the reports computed it from
// the audit log before migration 0014 (the meaning its backfill keeps).
func auditAsOf(engine string, at time.Time) string {
	stage := func(col string) string {
		if engine == store.Postgres {
			return "((a." + col + ")::jsonb ->> 'stage')"
		}
		return "json_extract(a." + col + ", '$.stage')"
	}
	ts := "'" + at.UTC().Format("2006-01-02T15:04:05.000000Z") + "'"
	// The unary + keeps SQLite on audit_entity (a deal's few changes)
	// rather than audit_report_time (every change up to the time).
	created := "a.created_at"
	if engine == store.SQLite {
		created = "+a.created_at"
	}
	return `SELECT x.owner_id, x.stage, COUNT(*), SUM(x.amount) FROM (
		SELECT d.owner_id, d.amount, COALESCE(
			(SELECT ` + stage("after_json") + ` FROM audit_log a WHERE a.entity_type = 'deal' AND a.entity_id = d.id
				AND a.action IN ('stage', 'override') AND ` + created + ` <= ` + ts + ` ORDER BY a.id DESC LIMIT 1),
			(SELECT ` + stage("before_json") + ` FROM audit_log a WHERE a.entity_type = 'deal' AND a.entity_id = d.id
				AND a.action IN ('stage', 'override') AND ` + created + ` > ` + ts + ` ORDER BY a.id LIMIT 1),
			d.stage) AS stage
		FROM deals d WHERE d.created_at <= ` + ts + ` AND (d.deleted_at IS NULL OR d.deleted_at > ` + ts + `)
	) x GROUP BY x.owner_id, x.stage`
}

// historyDrop undoes migration 0014 (but for its schema_migrations row), so
// that the test can run it again on a database holding deals and history.
var historyDrop = map[string][]string{
	store.SQLite: {
		"DROP TRIGGER report_pipeline_changes_insert", "DROP TRIGGER report_pipeline_changes_update", "DROP TRIGGER report_pipeline_changes_delete",
		"DROP TRIGGER deal_stage_entries_insert", "DROP TRIGGER deal_stage_entries_update", "DROP TRIGGER deal_stage_entries_delete",
		"DROP TABLE report_pipeline_changes", "DROP TABLE deal_stage_entries", "DROP INDEX deals_report_created", "DROP INDEX deals_report_owner_created",
	},
	store.Postgres: {
		"DROP TRIGGER report_pipeline_changes_sync ON deals", "DROP TRIGGER deal_stage_entries_sync ON deals",
		"DROP FUNCTION report_pipeline_changes_sync()", "DROP FUNCTION deal_stage_entries_sync()",
		"DROP TABLE report_pipeline_changes", "DROP TABLE deal_stage_entries", "DROP INDEX deals_report_created", "DROP INDEX deals_report_owner_created",
	},
}

// TestReportHistoryBackfill checks migration 0014's backfill on a database
// holding deals and their stage changes (the report seed: every deal
// inserted at its stage, its move into it in the audit log): it equals
// RebuildReportHistory, and the pipeline as of every tenth day read from
// it, both ways, equals the audit-based computation it replaces.
func TestReportHistoryBackfill(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			db, where := storetest.MustOpenURL(t, engine)
			var owners []int64
			for i := range 4 {
				owners = append(owners, mustUser(t, db, fmt.Sprintf("rep%d", i), crm.RoleRep, nil).ID)
			}
			storetest.SeedReportData(t, where, engine, owners, 1000)
			raw := openRaw(t, engine, where)
			dump := func() []string {
				c := rawLines(t, raw, `SELECT 'c', CAST(day AS TEXT), owner_id, stage, deals, amount FROM report_pipeline_changes WHERE deals <> 0 OR amount <> 0`)
				e := rawLines(t, raw, `SELECT 'e', deal_id, stage, CAST(entered_at AS TEXT) FROM deal_stage_entries`)
				return append(c, e...)
			}
			rebuilt := dump()
			if len(rebuilt) < 1000 {
				t.Fatalf("rebuild wrote %d rows", len(rebuilt))
			}
			for _, st := range historyDrop[engine] {
				if _, err := raw.Exec(st); err != nil {
					t.Fatalf("%s: %v", st, err)
				}
			}
			// The migration's file, run as Migrate runs it (one transaction)
			// but without Migrate's lock, which every test database of the
			// server shares.
			b, err := os.ReadFile(filepath.Join("migrations", engine, "0014_report_history.sql"))
			if err != nil {
				t.Fatal(err)
			}
			tx, err := raw.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tx.ExecContext(ctx, string(b)); err != nil {
				tx.Rollback() //nolint:errcheck // the exec error is the one to report
				t.Fatalf("migration 0014 again: %v", err)
			}
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			if migrated := dump(); strings.Join(migrated, "\n") != strings.Join(rebuilt, "\n") {
				t.Errorf("migration backfill (%d rows) differs from the rebuild (%d rows)", len(migrated), len(rebuilt))
			}
			now := storetest.SeedNow
			for d := crm.DateOf(now.AddDate(-2, 0, -3)); !d.After(crm.DateOf(now).Time); d = crm.DateOf(d.AddDate(0, 0, 10)) {
				at := d.AddDate(0, 0, 1).Add(-time.Microsecond)
				want := rawLines(t, raw, auditAsOf(engine, at))
				f := crm.ReportFilter{Scope: crm.Scope{All: true}, Stages: crm.Stages, AsOf: &at, Now: now}
				fromStart, fromTotals, err := db.PipelineAsOfBothWays(ctx, f, d)
				if err != nil {
					t.Fatal(err)
				}
				for what, cells := range map[string][]crm.StageCell{"from the first day": fromStart, "from the totals": fromTotals} {
					var got []string
					for _, c := range cells {
						got = append(got, fmt.Sprintf("%d|%s|%d|%d", c.OwnerID, c.Stage, c.Count, c.Amount))
					}
					sort.Strings(got)
					if strings.Join(got, "\n") != strings.Join(want, "\n") {
						t.Fatalf("as of %s, %s:\n%s\nwant (audit):\n%s", d, what, strings.Join(got, "\n"), strings.Join(want, "\n"))
					}
				}
			}
		})
	}
}
