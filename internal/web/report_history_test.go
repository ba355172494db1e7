package web_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/store"
)

// auditPipelineAsOf is the pipeline as of a time as the reports computed it
// before migration 0014, from the stage changes in the audit log: a deal's
// stage then is the one its last stage change up to then moved it to, else
// the one its first later change moved it from, else its current stage;
// deals created after the time or deleted before it are left out; owner
// and amount are the current ones. It is the oracle of the day-by-day
// summary. Rows: owner, stage, count, amount, and a 0 (rawRows reads five
// columns).
func auditPipelineAsOf(engine string, at time.Time) string {
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
	return `SELECT x.owner_id, x.stage, COUNT(*), SUM(x.amount), 0 FROM (
		SELECT d.owner_id, d.amount, COALESCE(
			(SELECT ` + stage("after_json") + ` FROM audit_log a WHERE a.entity_type = 'deal' AND a.entity_id = d.id
				AND a.action IN ('stage', 'override') AND ` + created + ` <= ` + ts + ` ORDER BY a.id DESC LIMIT 1),
			(SELECT ` + stage("before_json") + ` FROM audit_log a WHERE a.entity_type = 'deal' AND a.entity_id = d.id
				AND a.action IN ('stage', 'override') AND ` + created + ` > ` + ts + ` ORDER BY a.id LIMIT 1),
			d.stage) AS stage
		FROM deals d WHERE d.created_at <= ` + ts + ` AND (d.deleted_at IS NULL OR d.deleted_at > ` + ts + `)
	) x GROUP BY x.owner_id, x.stage`
}

// cellSet renders pipeline cells as sorted "owner stage count amount" lines.
func cellSet(cells []crm.StageCell) string {
	var l []string
	for _, c := range cells {
		l = append(l, fmt.Sprintf("%d %s %d %d", c.OwnerID, c.Stage, c.Count, c.Amount))
	}
	sort.Strings(l)
	return strings.Join(l, "\n")
}

// rowSet renders rawRows the way cellSet renders cells.
func rowSet(rows [][]string) string {
	var l []string
	for _, r := range rows {
		l = append(l, strings.Join(r[:4], " "))
	}
	sort.Strings(l)
	return strings.Join(l, "\n")
}

// TestReportPipelineAsOfFollowsWrites checks the pipeline as of every day
// (report_pipeline_changes, migration 0014) against the audit-based
// computation: for the seeded history (backfilled by
// RebuildReportHistory) as the audit query answers it, and for a week of
// scripted writes through the service — creation, moves forward and back,
// an override, an amount change, a reassignment, a loss and deletions — as
// the audit query answered it at the end of each day, when the owners and
// amounts it takes from the deals were those of that day. Both ways of
// reading the summary (from its first day, back from the totals) must
// agree.
func TestReportPipelineAsOfFollowsWrites(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		s := seedReports(t, e)
		ctx := context.Background()
		boss := crm.ActorOf(s.boss)
		day := func(d string) time.Time {
			t.Helper()
			v, err := time.Parse(crm.DateLayout, d)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		endOf := func(d time.Time) time.Time { return d.AddDate(0, 0, 1).Add(-time.Microsecond) }
		oracle := map[string]string{}
		record := func(d time.Time) {
			oracle[d.Format(crm.DateLayout)] = rowSet(rawRows(t, e, auditPipelineAsOf(e.db.Engine(), endOf(d))))
		}
		first, last := day("2026-05-30"), day("2026-11-08")
		for d := first; d.Before(day("2026-11-02")); d = d.AddDate(0, 0, 1) {
			record(d)
		}
		setClock := func(d string, hour int) {
			e.clock.mu.Lock()
			e.clock.now = day(d).Add(time.Duration(hour) * time.Hour)
			e.clock.mu.Unlock()
		}
		must := func(d *crm.Deal, err error) *crm.Deal {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
		move := func(d *crm.Deal, stage string, override bool) *crm.Deal {
			t.Helper()
			return must(e.svc.MoveDealStage(ctx, boss, d.ID, crm.StageMove{Stage: stage, Reason: "测试", Override: override}))
		}
		type step struct {
			day string
			do  func()
		}
		var x, y *crm.Deal
		script := []step{
			{"2026-11-02", func() {
				x = must(e.svc.CreateDeal(ctx, boss, crm.DealInput{AccountID: 1, OwnerID: s.r1.ID, Title: "甲", Amount: 1_000_000}))
				setClock("2026-11-02", 15)
				y = must(e.svc.CreateDeal(ctx, boss, crm.DealInput{AccountID: 2, OwnerID: s.r2.ID, Title: "乙", Amount: 3_000_000}))
			}},
			{"2026-11-03", func() {
				x = move(x, "qualification", true)
				setClock("2026-11-03", 11)
				x = move(x, "demo", true)
				y = move(y, "qualification", true)
			}},
			{"2026-11-04", func() {
				x = move(x, "qualification", true) // back
				setClock("2026-11-04", 16)
				x = must(e.svc.UpdateDeal(ctx, boss, x.ID, crm.DealPatch{Version: x.Version, Amount: crm.Some(int64(2_500_000))}))
			}},
			{"2026-11-05", func() {
				x = move(x, "commit", true)
				x = must(e.svc.UpdateDeal(ctx, boss, x.ID, crm.DealPatch{Version: x.Version, OwnerID: crm.Some(s.r2.ID)}))
				y = must(e.svc.UpdateDeal(ctx, boss, y.ID, crm.DealPatch{Version: y.Version, Amount: crm.Some(int64(500_000)), OwnerID: crm.Some(s.r3.ID)}))
			}},
			{"2026-11-06", func() {
				x = must(e.svc.MoveDealStage(ctx, boss, x.ID, crm.StageMove{Stage: crm.StageLost, Reason: "预算取消"}))
				setClock("2026-11-06", 20)
				move(must(e.svc.Deal(ctx, boss, 1)), "qualification", true)
			}},
			{"2026-11-07", func() {
				if err := e.svc.DeleteDeal(ctx, boss, y.ID, y.Version); err != nil {
					t.Fatal(err)
				}
				d6 := must(e.svc.Deal(ctx, boss, 6))
				if err := e.svc.DeleteDeal(ctx, boss, d6.ID, d6.Version); err != nil {
					t.Fatal(err)
				}
			}},
			{"2026-11-08", func() {}},
		}
		for _, st := range script {
			setClock(st.day, 9)
			st.do()
			record(day(st.day))
		}
		for d := first; !d.After(last); d = d.AddDate(0, 0, 1) {
			at := endOf(d)
			f := crm.ReportFilter{Scope: crm.Scope{All: true}, Stages: crm.Stages, AsOf: &at, Now: e.clock.Now()}
			cells, err := e.db.PipelineCells(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			fromStart, fromTotals, err := e.db.PipelineAsOfBothWays(ctx, f, crm.DateOf(d))
			if err != nil {
				t.Fatal(err)
			}
			want := oracle[d.Format(crm.DateLayout)]
			for what, got := range map[string][]crm.StageCell{"report": cells, "from the first day": fromStart, "from the totals": fromTotals} {
				if cellSet(got) != want {
					t.Errorf("as of %s, %s:\n%s\nwant (audit):\n%s", d.Format(crm.DateLayout), what, cellSet(got), want)
				}
			}
		}
	})
}
