package web_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/store"
	"github.com/dealpath/dealpath/internal/tabular"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/xuri/excelize/v2"
)

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

func init() {
	// Report downloads are checked against docs/openapi.yaml like every
	// answer; XLSX is binary, as kin-openapi's file decoder reads it.
	openapi3filter.RegisterBodyDecoder(xlsxType, openapi3filter.FileBodyDecoder)
}

// reportSet is the known data set of the report tests: two teams, their
// people, and deals, history, activities and contracts written straight
// into the database with fixed times, so that every figure is known.
//
// Today (the env clock) is 2026-11-02 09:00 UTC.
//
//	team East: manager m1, reps r1 and r2; team West: rep r3; admin boss
//	d1  r1 prospecting   ¥10,000  close 2026-11-20  created 10-01, in stage since 10-01 (stalled)
//	d2  r1 negotiation   ¥50,000  close 2026-12-15  created 09-01; prospecting→demo 09-10, demo→negotiation 10-20
//	d3  r1 commit        ¥80,000  close 2026-10-25 (slipped)  created 08-01; negotiation→commit 10-30
//	d4  r1 implementation ¥60,000 close 2026-11-05  created 07-01; commit→implementation 10-15 (won)
//	d5  r1 lost          ¥20,000  close 2026-11-10  created 09-15; demo→lost 10-10, reason 价格太高
//	d6  r2 demo          ¥30,000  close 2026-11-30  created 10-05; qualification→demo 10-25
//	d7  r2 closed        ¥40,000  close 2026-10-20  created 06-01; commit→implementation 09-20, implementation→closed 10-28
//	d8  r3 commit        ¥70,000  close 2026-11-15  created 10-01, in stage since 10-01 (stalled)
//	d9  r3 prospecting    ¥5,000  no close date     created 10-20
//	d10 m1 qualification ¥15,000  close 2027-01-10  created 10-10
//	d11 r1 demo          ¥20,000  deleted 10-31     created 09-01
type reportSet struct {
	boss, m1, r1, r2, r3 *crm.User
	east, west           *crm.Team
}

func seedReports(t *testing.T, e *env) *reportSet {
	t.Helper()
	s := &reportSet{east: e.team("East"), west: e.team("West")}
	s.boss = e.user("boss", crm.RoleAdmin, nil)
	s.m1 = e.user("m1", crm.RoleManager, &s.east.ID)
	s.r1 = e.user("r1", crm.RoleRep, &s.east.ID)
	s.r2 = e.user("r2", crm.RoleRep, &s.east.ID)
	s.r3 = e.user("r3", crm.RoleRep, &s.west.ID)
	r1, r2, r3, m1 := s.r1.ID, s.r2.ID, s.r3.ID, s.m1.ID
	ts := func(day string) string { return "'2026-" + day + "T00:00:00.000000Z'" }
	stmts := []string{
		fmt.Sprintf(`INSERT INTO accounts (id, name, owner_id, fit_grade, created_at, updated_at) VALUES
			(1, '甲公司', %d, 'A', %s, %s), (2, '乙公司', %d, 'B', %s, %s), (3, '丙公司', %d, '', %s, %s)`,
			r1, ts("01-01"), ts("01-01"), r2, ts("01-01"), ts("01-01"), r3, ts("01-01"), ts("01-01")),
	}
	type deal struct {
		id                  int
		owner               int64
		account             int
		stage               string
		amount              int64
		close, created, chg string
		reason, deleted     string
	}
	deals := []deal{
		{1, r1, 1, "prospecting", 1_000_000, "'2026-11-20'", "10-01", "10-01", "", ""},
		{2, r1, 1, "negotiation", 5_000_000, "'2026-12-15'", "09-01", "10-20", "", ""},
		{3, r1, 1, "commit", 8_000_000, "'2026-10-25'", "08-01", "10-30", "", ""},
		{4, r1, 1, "implementation", 6_000_000, "'2026-11-05'", "07-01", "10-15", "", ""},
		{5, r1, 1, "lost", 2_000_000, "'2026-11-10'", "09-15", "10-10", "价格太高", ""},
		{6, r2, 2, "demo", 3_000_000, "'2026-11-30'", "10-05", "10-25", "", ""},
		{7, r2, 2, "closed", 4_000_000, "'2026-10-20'", "06-01", "10-28", "", ""},
		{8, r3, 3, "commit", 7_000_000, "'2026-11-15'", "10-01", "10-01", "", ""},
		{9, r3, 3, "prospecting", 500_000, "NULL", "10-20", "10-20", "", ""},
		{10, m1, 2, "qualification", 1_500_000, "'2027-01-10'", "10-10", "10-10", "", ""},
		{11, r1, 1, "demo", 2_000_000, "'2026-11-25'", "09-01", "09-01", "", "10-31"},
	}
	for _, d := range deals {
		deleted := "NULL"
		if d.deleted != "" {
			deleted = ts(d.deleted)
		}
		stmts = append(stmts, fmt.Sprintf(`INSERT INTO deals (id, account_id, owner_id, title, stage, amount, expected_close_date, probability,
			lost_reason, stage_changed_at, created_at, updated_at, deleted_at) VALUES (%d, %d, %d, '商机%02d', '%s', %d, %s, 0, '%s', %s, %s, %s, %s)`,
			d.id, d.account, d.owner, d.id, d.stage, d.amount, d.close, d.reason, ts(d.chg), ts(d.created), ts(d.chg), deleted))
	}
	moves := []struct {
		deal          int
		from, to, day string
	}{
		{2, "prospecting", "demo", "09-10"}, {2, "demo", "negotiation", "10-20"},
		{3, "negotiation", "commit", "10-30"},
		{4, "commit", "implementation", "10-15"},
		{5, "demo", "lost", "10-10"},
		{6, "qualification", "demo", "10-25"},
		{7, "commit", "implementation", "09-20"}, {7, "implementation", "closed", "10-28"},
	}
	for _, m := range moves {
		stmts = append(stmts, fmt.Sprintf(`INSERT INTO audit_log (actor_id, entity_type, entity_id, action, before_json, after_json, created_at)
			VALUES (%d, 'deal', %d, 'stage', '{"stage":"%s","probability":0}', '{"stage":"%s","probability":0}', %s)`,
			s.boss.ID, m.deal, m.from, m.to, ts(m.day)))
	}
	stmts = append(stmts,
		fmt.Sprintf(`INSERT INTO deal_events (deal_id, code, created_by, created_at) VALUES (4, 'expansion', %d, %s), (4, 'expansion', %d, %s)`, r1, ts("09-01"), r1, ts("09-02")),
		fmt.Sprintf(`INSERT INTO deal_competitors (deal_id, name, created_at, updated_at) VALUES (4, '用友', %s, %s), (4, '金蝶', %s, %s), (5, '用友', %s, %s)`,
			ts("09-01"), ts("09-01"), ts("09-01"), ts("09-01"), ts("09-01"), ts("09-01")),
	)
	acts := []struct {
		owner         int64
		typ           string
		deal          int
		done, created string
	}{
		{r1, "call", 1, "'2026-10-19T10:00:00.000000Z'", "10-19"},
		{r1, "call", 1, "'2026-10-25T23:00:00.000000Z'", "10-19"},
		{r1, "visit", 2, "'2026-10-26T08:00:00.000000Z'", "10-20"},
		{r2, "email", 6, "'2026-10-27T08:00:00.000000Z'", "10-27"},
		{r2, "call", 6, "NULL", "10-28"},
		{r3, "meeting", 8, "'2026-10-20T08:00:00.000000Z'", "10-20"},
		{r1, "call", 1, "'2026-11-02T08:00:00.000000Z'", "11-02"},
	}
	for _, a := range acts {
		stmts = append(stmts, fmt.Sprintf(`INSERT INTO activities (type, subject, done_at, deal_id, owner_id, created_at, updated_at)
			VALUES ('%s', '跟进', %s, %d, %d, %s, %s)`, a.typ, a.done, a.deal, a.owner, ts(a.created), ts(a.created)))
	}
	// Contracts: c1 on d4 (signed), c2 on d7 (signed), c3 on d8 (draft,
	// left out). Each has its own quote.
	for i, d := range []int{4, 7, 8} {
		stmts = append(stmts, fmt.Sprintf(`INSERT INTO quotes (id, deal_id, state, valid_until, list_total, discount_total, total, max_discount_bp,
			created_by, state_changed_at, created_at, updated_at) VALUES (%d, %d, 'accepted', '2026-12-31', 0, 0, 0, 0, %d, %s, %s, %s)`,
			i+1, d, s.boss.ID, ts("09-01"), ts("09-01"), ts("09-01")))
	}
	stmts = append(stmts, fmt.Sprintf(`INSERT INTO contracts (id, deal_id, quote_id, kind, state, party_ours, party_customer, amount, payment_method,
		created_by, state_changed_at, created_at, updated_at) VALUES
		(1, 4, 1, 'sale', 'signed', '我方', '甲公司', 6000000, 'transfer', %d, %s, %s, %s),
		(2, 7, 2, 'sale', 'signed', '我方', '乙公司', 5500000, 'transfer', %d, %s, %s, %s),
		(3, 8, 3, 'sale', 'draft', '我方', '丙公司', 7000000, 'transfer', %d, %s, %s, %s)`,
		s.boss.ID, ts("09-01"), ts("09-01"), ts("09-01"), s.boss.ID, ts("09-01"), ts("09-01"), ts("09-01"), s.boss.ID, ts("09-01"), ts("09-01"), ts("09-01")))
	ms := []struct {
		contract, pos int
		amount, paid  int64
		due           string
	}{
		{1, 1, 3_000_000, 3_000_000, "'2026-10-01'"},
		{1, 2, 2_000_000, 500_000, "'2026-09-15'"},
		{1, 3, 1_000_000, 0, "NULL"},
		{2, 1, 4_000_000, 0, "'2026-07-01'"},
		{2, 2, 1_000_000, 0, "'2026-10-20'"},
		{2, 3, 500_000, 0, "'2026-11-02'"},
		{3, 1, 7_000_000, 0, "'2026-10-30'"},
	}
	for _, m := range ms {
		stmts = append(stmts, fmt.Sprintf(`INSERT INTO contract_milestones (contract_id, position, name, amount, paid, trigger_on, due_on, updated_at)
			VALUES (%d, %d, '第%d笔', %d, %d, 'date', %s, %s)`, m.contract, m.pos, m.pos, m.amount, m.paid, m.due, ts("09-01")))
	}
	if e.db.Engine() == store.Postgres {
		// Rows with chosen ids leave the identity sequences behind.
		for _, table := range []string{"accounts", "deals", "quotes", "contracts"} {
			stmts = append(stmts, fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%s', 'id'), (SELECT MAX(id) FROM %s))`, table, table))
		}
	}
	rawExec(t, e, stmts)
	// The deals went in at their current stage, their moves after them.
	if err := e.db.RebuildReportHistory(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

// rawExec runs statements over a connection of its own, as the seeds do:
// the store offers no way to write history with chosen times.
func rawExec(t *testing.T, e *env, stmts []string) {
	t.Helper()
	var raw *sql.DB
	var err error
	if e.db.Engine() == store.Postgres {
		raw, err = sql.Open("pgx", e.dbURL)
	} else {
		raw, err = sql.Open("sqlite", "file:"+e.dbURL+"?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)")
	}
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, st := range stmts {
		if _, err := raw.ExecContext(context.Background(), st); err != nil {
			t.Fatalf("%s: %v", st, err)
		}
	}
}

// fig is a count, amount and weighted amount.
type fig = crm.Figures

func eq[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

// stageFigures maps a pipeline's stages to their figures.
func stageFigures(st []crm.PipelineStage) map[string]fig {
	m := map[string]fig{}
	for _, s := range st {
		m[s.Stage] = s.Figures
	}
	return m
}

func TestReportPipeline(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		s := seedReports(t, e)
		boss, m1, r1 := e.login("boss"), e.login("m1"), e.login("r1")
		zero := fig{}
		var rep crm.PipelineReport
		boss.do("GET", "/api/v1/reports/pipeline", nil).ok(200, &rep)
		eq(t, "admin stages", stageFigures(rep.Stages), map[string]fig{
			"prospecting": {Count: 2, Amount: 1_500_000, Weighted: 150_000}, "compelling_event": zero,
			"qualification": {Count: 1, Amount: 1_500_000, Weighted: 450_000},
			"demo":          {Count: 1, Amount: 3_000_000, Weighted: 1_500_000},
			"negotiation":   {Count: 1, Amount: 5_000_000, Weighted: 3_500_000},
			"commit":        {Count: 2, Amount: 15_000_000, Weighted: 13_500_000},
		})
		eq(t, "admin total", rep.Total, fig{Count: 7, Amount: 26_000_000, Weighted: 19_100_000})
		eq(t, "admin basis", rep.Basis.OpenStages, []string{"prospecting", "compelling_event", "qualification", "demo", "negotiation", "commit"})
		owners := map[string]fig{}
		for _, o := range rep.Owners {
			owners[o.Name] = o.Total
		}
		eq(t, "admin owners", owners, map[string]fig{
			"m1": {Count: 1, Amount: 1_500_000, Weighted: 450_000},
			"r1": {Count: 3, Amount: 14_000_000, Weighted: 10_800_000},
			"r2": {Count: 1, Amount: 3_000_000, Weighted: 1_500_000},
			"r3": {Count: 2, Amount: 7_500_000, Weighted: 6_350_000},
		})
		teams := map[string]fig{}
		for _, g := range rep.Teams {
			teams[g.Name] = g.Total
		}
		eq(t, "admin teams", teams, map[string]fig{
			"East": {Count: 5, Amount: 18_500_000, Weighted: 12_750_000},
			"West": {Count: 2, Amount: 7_500_000, Weighted: 6_350_000},
		})

		// The manager sees the team, the rep only their own deals.
		m1.do("GET", "/api/v1/reports/pipeline", nil).ok(200, &rep)
		eq(t, "manager total", rep.Total, fig{Count: 5, Amount: 18_500_000, Weighted: 12_750_000})
		eq(t, "manager teams", len(rep.Teams), 1)
		r1.do("GET", "/api/v1/reports/pipeline", nil).ok(200, &rep)
		eq(t, "rep total", rep.Total, fig{Count: 3, Amount: 14_000_000, Weighted: 10_800_000})
		eq(t, "rep owners", len(rep.Owners), 1)
		eq(t, "rep owner", *rep.Owners[0].OwnerID, s.r1.ID)
		// Asking for someone else's deals narrows, never widens.
		r1.do("GET", fmt.Sprintf("/api/v1/reports/pipeline?owner_id=%d", s.r3.ID), nil).ok(200, &rep)
		eq(t, "rep asking for r3", rep.Total, zero)
		boss.do("GET", fmt.Sprintf("/api/v1/reports/pipeline?team_id=%d", s.west.ID), nil).ok(200, &rep)
		eq(t, "admin, team West", rep.Total, fig{Count: 2, Amount: 7_500_000, Weighted: 6_350_000})

		// As of 2026-10-15, from the stage history: d2 was in demo, d3 in
		// negotiation, d6 in qualification; d4 was already won, d9 did not
		// exist, and the deleted d11 still counted.
		boss.do("GET", "/api/v1/reports/pipeline?as_of=2026-10-15", nil).ok(200, &rep)
		eq(t, "as-of stages", stageFigures(rep.Stages), map[string]fig{
			"prospecting": {Count: 1, Amount: 1_000_000, Weighted: 100_000}, "compelling_event": zero,
			"qualification": {Count: 2, Amount: 4_500_000, Weighted: 1_350_000},
			"demo":          {Count: 2, Amount: 7_000_000, Weighted: 3_500_000},
			"negotiation":   {Count: 1, Amount: 8_000_000, Weighted: 5_600_000},
			"commit":        {Count: 1, Amount: 7_000_000, Weighted: 6_300_000},
		})
		eq(t, "as-of total", rep.Total, fig{Count: 7, Amount: 27_500_000, Weighted: 16_850_000})
		eq(t, "as-of basis", rep.Basis.History, "audit")
		r1.do("GET", "/api/v1/reports/pipeline?as_of=2026-10-15", nil).ok(200, &rep)
		eq(t, "rep as-of total", rep.Total, fig{Count: 4, Amount: 16_000_000, Weighted: 9_200_000})
	})
}

func forecastCats(rows []crm.ForecastRow) map[string]map[string]fig {
	out := map[string]map[string]fig{}
	for _, r := range rows {
		m := map[string]fig{}
		for c, f := range r.Categories {
			if f != (fig{}) {
				m[c] = f
			}
		}
		out[r.Period] = m
	}
	return out
}

func TestReportForecast(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		s := seedReports(t, e)
		boss, m1, r1 := e.login("boss"), e.login("m1"), e.login("r1")
		var rep crm.ForecastReport
		const q = "/api/v1/reports/forecast?from=2026-10-01&to=2026-12-31"
		boss.do("GET", q, nil).ok(200, &rep)
		eq(t, "basis", rep.Basis.Probabilities, "playbook")
		eq(t, "finished", rep.Basis.FinishedDeals, int64(3))
		eq(t, "categories", rep.Basis.Categories[crm.CatBestCase], []string{"negotiation"})
		eq(t, "admin months", forecastCats(rep.Periods), map[string]map[string]fig{
			"2026-10": {"closed": {Count: 1, Amount: 4_000_000, Weighted: 4_000_000}, "slipped": {Count: 1, Amount: 8_000_000, Weighted: 7_200_000}},
			"2026-11": {"closed": {Count: 1, Amount: 6_000_000, Weighted: 6_000_000}, "commit": {Count: 1, Amount: 7_000_000, Weighted: 6_300_000},
				"pipeline": {Count: 2, Amount: 4_000_000, Weighted: 1_600_000}, "omitted": {Count: 1, Amount: 2_000_000}},
			"2026-12": {"best_case": {Count: 1, Amount: 5_000_000, Weighted: 3_500_000}},
		})
		boss.do("GET", q+"&period=quarter", nil).ok(200, &rep)
		eq(t, "admin quarter", forecastCats(rep.Periods), map[string]map[string]fig{
			"2026-Q4": {"closed": {Count: 2, Amount: 10_000_000, Weighted: 10_000_000}, "slipped": {Count: 1, Amount: 8_000_000, Weighted: 7_200_000},
				"commit": {Count: 1, Amount: 7_000_000, Weighted: 6_300_000}, "pipeline": {Count: 2, Amount: 4_000_000, Weighted: 1_600_000},
				"omitted": {Count: 1, Amount: 2_000_000}, "best_case": {Count: 1, Amount: 5_000_000, Weighted: 3_500_000}},
		})
		teams := map[string]map[string]map[string]fig{}
		for _, g := range rep.Teams {
			teams[g.Name] = forecastCats(g.Periods)
		}
		eq(t, "West quarter", teams["West"], map[string]map[string]fig{"2026-Q4": {"commit": {Count: 1, Amount: 7_000_000, Weighted: 6_300_000}}})

		// The rep sees only their own deals.
		r1.do("GET", q, nil).ok(200, &rep)
		eq(t, "rep months", forecastCats(rep.Periods), map[string]map[string]fig{
			"2026-10": {"slipped": {Count: 1, Amount: 8_000_000, Weighted: 7_200_000}},
			"2026-11": {"closed": {Count: 1, Amount: 6_000_000, Weighted: 6_000_000}, "pipeline": {Count: 1, Amount: 1_000_000, Weighted: 100_000},
				"omitted": {Count: 1, Amount: 2_000_000}},
			"2026-12": {"best_case": {Count: 1, Amount: 5_000_000, Weighted: 3_500_000}},
		})
		eq(t, "rep owners", len(rep.Owners), 1)

		// Calibration: with at least 3 finished deals the forecast uses
		// the history's stage-to-win rates. Of the admin's three (d4 and d7
		// won, d5 lost in demo), 2 of 3 won from demo and earlier, 2 of 2
		// from negotiation and commit.
		if err := e.db.SetSetting(context.Background(), crm.CalibrationSetting, "3"); err != nil {
			t.Fatal(err)
		}
		boss.do("GET", q, nil).ok(200, &rep)
		eq(t, "calibrated", rep.Basis.Probabilities, "calibrated")
		bp := map[string]int64{}
		for _, st := range rep.Basis.Stages {
			bp[st.Stage] = st.ProbabilityBP
		}
		eq(t, "rates", bp, map[string]int64{"prospecting": 6666, "compelling_event": 6666, "qualification": 6666, "demo": 6666,
			"negotiation": 10000, "commit": 10000, "implementation": 10000, "closed": 10000, "lost": 0})
		eq(t, "calibrated months", forecastCats(rep.Periods)["2026-11"], map[string]fig{
			"closed": {Count: 1, Amount: 6_000_000, Weighted: 6_000_000}, "commit": {Count: 1, Amount: 7_000_000, Weighted: 7_000_000},
			"pipeline": {Count: 2, Amount: 4_000_000, Weighted: 2_666_400}, "omitted": {Count: 1, Amount: 2_000_000}})
		// The rep's own history has two finished deals: not enough.
		r1.do("GET", q, nil).ok(200, &rep)
		eq(t, "rep basis", rep.Basis.Probabilities, "playbook")
		eq(t, "rep finished", rep.Basis.FinishedDeals, int64(2))

		// Adjustments: the manager for a team member, twice (the newest is
		// in force); not for another team; never a rep.
		var a crm.ForecastAdjustment
		m1.do("POST", "/api/v1/reports/forecast/adjustments", map[string]any{"owner_id": s.r1.ID, "period": "2026-11", "amount": 9_000_000, "note": "first"}).ok(201, &a)
		e.clock.Add(1e9)
		m1.do("POST", "/api/v1/reports/forecast/adjustments", map[string]any{"owner_id": s.r1.ID, "period": "2026-11", "amount": 9_500_000, "note": "含一单大客户"}).ok(201, &a)
		eq(t, "adjustment by", a.CreatedBy, s.m1.ID)
		m1.do("POST", "/api/v1/reports/forecast/adjustments", map[string]any{"owner_id": s.r3.ID, "period": "2026-11", "amount": 1}).fail(403, "forbidden")
		r1.do("POST", "/api/v1/reports/forecast/adjustments", map[string]any{"owner_id": s.r1.ID, "period": "2026-11", "amount": 1}).fail(403, "forbidden")
		boss.do("POST", "/api/v1/reports/forecast/adjustments", map[string]any{"owner_id": s.r3.ID, "period": "2026-Q4", "amount": 7_000_000}).ok(201, nil)
		m1.do("POST", "/api/v1/reports/forecast/adjustments", map[string]any{"owner_id": s.r1.ID, "period": "2026-13", "amount": -1}).failField("period")
		m1.do("POST", "/api/v1/reports/forecast/adjustments", map[string]any{"owner_id": s.r1.ID, "period": "2026-Q4", "amount": -1}).failField("amount")
		m1.do("POST", "/api/v1/reports/forecast/adjustments", map[string]any{"owner_id": 999, "period": "2026-Q4", "amount": 1}).failField("owner_id")
		var list struct {
			Items []crm.ForecastAdjustment `json:"items"`
		}
		r1.do("GET", "/api/v1/reports/forecast/adjustments", nil).ok(200, &list)
		eq(t, "rep's adjustments", len(list.Items), 2)
		eq(t, "newest first", list.Items[0].Amount, int64(9_500_000))
		boss.do("GET", "/api/v1/reports/forecast/adjustments?period=2026-Q4", nil).ok(200, &list)
		eq(t, "quarter adjustments", len(list.Items), 1)
		boss.do("GET", "/api/v1/reports/forecast/adjustments?period=Q4", nil).failField("period")
		r1.do("GET", q, nil).ok(200, &rep)
		nov := rep.Owners[0].Periods[1]
		if nov.Period != "2026-11" || nov.Adjustment == nil || nov.Adjustment.Amount != 9_500_000 || nov.Adjustment.Note != "含一单大客户" {
			t.Errorf("rep's November adjustment: %+v", nov)
		}
		// The calibration counts are kept for an hour per scope: a deal
		// lost meanwhile counts once they are read again.
		rawExec(t, e, []string{fmt.Sprintf(`INSERT INTO deals (id, account_id, owner_id, title, stage, amount, probability, stage_changed_at, created_at, updated_at)
			VALUES (13, 3, %d, '商机13', 'lost', 100, 0, '2026-10-01T00:00:00.000000Z', '2026-10-01T00:00:00.000000Z', '2026-10-01T00:00:00.000000Z')`, s.r3.ID)})
		boss.do("GET", q, nil).ok(200, &rep)
		eq(t, "finished, kept", rep.Basis.FinishedDeals, int64(3))
		e.clock.Add(crm.CalibrationTTL)
		boss.do("GET", q, nil).ok(200, &rep)
		eq(t, "finished, read again", rep.Basis.FinishedDeals, int64(4))
		eq(t, "computed at", rep.Basis.ComputedAt, e.clock.Now())
		boss.do("GET", q+"&period=quarter", nil).ok(200, &rep)
		for _, o := range rep.Owners {
			if *o.OwnerID == s.r3.ID && (o.Periods[0].Adjustment == nil || o.Periods[0].Adjustment.Amount != 7_000_000) {
				t.Errorf("r3's quarter adjustment: %+v", o.Periods[0])
			}
		}
	})
}

func TestReportFunnel(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		seedReports(t, e)
		boss, r1 := e.login("boss"), e.login("r1")
		var rep crm.FunnelReport
		boss.do("GET", "/api/v1/reports/funnel?from=2026-06-01&to=2026-11-02", nil).ok(200, &rep)
		type step struct {
			Stage   string
			Reached int64
			Conv    int64
			Days    crm.DayStats
		}
		var got []step
		for _, s := range rep.Steps {
			c := int64(-1)
			if s.ConversionBP != nil {
				c = *s.ConversionBP
			}
			got = append(got, step{s.Stage, s.Reached, c, s.Days})
		}
		eq(t, "steps", got, []step{
			{"prospecting", 10, 8000, crm.DayStats{Count: 1, Median: 9, P80: 9}},
			{"compelling_event", 8, 10000, crm.DayStats{}},
			{"qualification", 8, 8750, crm.DayStats{Count: 1, Median: 20, P80: 20}},
			{"demo", 7, 7142, crm.DayStats{Count: 2, Median: 32.5, P80: 40}},
			{"negotiation", 5, 8000, crm.DayStats{Count: 1, Median: 90, P80: 90}},
			{"commit", 4, 5000, crm.DayStats{Count: 2, Median: 108.5, P80: 111}},
			{"implementation", 2, 5000, crm.DayStats{Count: 1, Median: 38, P80: 38}},
			{"closed", 1, -1, crm.DayStats{}},
		})
		eq(t, "cycle", rep.Cycle, crm.DayStats{Count: 2, Median: 108.5, P80: 111})
		var stalled []string
		for _, d := range rep.Stalled {
			stalled = append(stalled, fmt.Sprintf("%s %s %d", d.Title, d.Stage, d.Days))
		}
		eq(t, "stalled", stalled, []string{"商机01 prospecting 32", "商机08 commit 32"})
		counts := map[string]int{}
		for _, c := range rep.Counts {
			if c.Count > 0 {
				counts[c.Stage] = c.Count
			}
		}
		eq(t, "stalled counts", counts, map[string]int{"prospecting": 1, "commit": 1})

		r1.do("GET", "/api/v1/reports/funnel?from=2026-06-01&to=2026-11-02", nil).ok(200, &rep)
		var reached []int64
		for _, s := range rep.Steps {
			reached = append(reached, s.Reached)
		}
		// r1's live deals: d1 (0), d2 (4), d3 (5), d4 (6), d5 (3).
		eq(t, "rep reached", reached, []int64{5, 4, 4, 4, 3, 2, 1, 0})
		eq(t, "rep cycle", rep.Cycle, crm.DayStats{Count: 1, Median: 106, P80: 106})
		eq(t, "rep stalled", len(rep.Stalled), 1)
	})
}

func TestReportWinLoss(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		seedReports(t, e)
		boss, r2 := e.login("boss"), e.login("r2")
		var rep crm.WinLossReport
		boss.do("GET", "/api/v1/reports/win-loss?from=2026-10-01&to=2026-11-02", nil).ok(200, &rep)
		eq(t, "total", rep.Total, crm.WinLossRow{Won: 1, Lost: 1, WonAmount: 6_000_000, LostAmount: 2_000_000, WinRateBP: 5000})
		eq(t, "reasons", rep.Reasons, []crm.WinLossRow{{Key: "价格太高", Lost: 1, LostAmount: 2_000_000}})
		eq(t, "grades", rep.Grades, []crm.WinLossRow{{Key: "A", Won: 1, Lost: 1, WonAmount: 6_000_000, LostAmount: 2_000_000, WinRateBP: 5000}})
		eq(t, "events", rep.Events, []crm.WinLossRow{{Key: "", Lost: 1, LostAmount: 2_000_000}, {Key: "expansion", Won: 1, WonAmount: 6_000_000, WinRateBP: 10000}})
		eq(t, "competitors", rep.Competitors, []crm.WinLossRow{
			{Key: "用友", Won: 1, Lost: 1, WonAmount: 6_000_000, LostAmount: 2_000_000, WinRateBP: 5000},
			{Key: "金蝶", Won: 1, WonAmount: 6_000_000, WinRateBP: 10000}})
		// d7 was won on 09-20: in September's report, not October's.
		boss.do("GET", "/api/v1/reports/win-loss?from=2026-09-01&to=2026-09-30", nil).ok(200, &rep)
		eq(t, "september", rep.Total, crm.WinLossRow{Won: 1, WonAmount: 4_000_000, WinRateBP: 10000})
		r2.do("GET", "/api/v1/reports/win-loss?from=2026-10-01&to=2026-11-02", nil).ok(200, &rep)
		eq(t, "rep r2", rep.Total, crm.WinLossRow{})
		eq(t, "rep r2 grades", len(rep.Grades), 0)
	})
}

func TestReportReceivables(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		s := seedReports(t, e)
		boss, r1, r3 := e.login("boss"), e.login("r1"), e.login("r3")
		var rep crm.ReceivablesReport
		boss.do("GET", "/api/v1/reports/receivables", nil).ok(200, &rep)
		aging := func(notDue, a, b, c, d int64) map[string]int64 {
			return map[string]int64{"not_due": notDue, "0_30": a, "31_60": b, "61_90": c, "90_plus": d}
		}
		eq(t, "total", rep.Total, crm.ReceivableFigures{Contracted: 11_500_000, Collected: 3_500_000, Open: 8_000_000,
			Aging: aging(1_500_000, 1_000_000, 1_500_000, 0, 4_000_000)})
		eq(t, "owners", rep.Owners, []crm.ReceivableGroup{
			{ID: s.r1.ID, Name: "r1", ReceivableFigures: crm.ReceivableFigures{Contracted: 6_000_000, Collected: 3_500_000, Open: 2_500_000,
				Aging: aging(1_000_000, 0, 1_500_000, 0, 0)}},
			{ID: s.r2.ID, Name: "r2", ReceivableFigures: crm.ReceivableFigures{Contracted: 5_500_000, Open: 5_500_000,
				Aging: aging(500_000, 1_000_000, 0, 0, 4_000_000)}},
		})
		eq(t, "accounts", []string{rep.Accounts[0].Name, rep.Accounts[1].Name}, []string{"乙公司", "甲公司"})
		r1.do("GET", "/api/v1/reports/receivables", nil).ok(200, &rep)
		eq(t, "rep total", rep.Total, crm.ReceivableFigures{Contracted: 6_000_000, Collected: 3_500_000, Open: 2_500_000,
			Aging: aging(1_000_000, 0, 1_500_000, 0, 0)})
		eq(t, "rep accounts", len(rep.Accounts), 1)
		r3.do("GET", "/api/v1/reports/receivables", nil).ok(200, &rep)
		eq(t, "r3: a draft contract owes nothing", rep.Total.Contracted, int64(0))
	})
}

func TestReportActivity(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		seedReports(t, e)
		boss, r1 := e.login("boss"), e.login("r1")
		var rep crm.ActivityReport
		boss.do("GET", "/api/v1/reports/activity?from=2026-10-19&to=2026-11-01", nil).ok(200, &rep)
		eq(t, "weeks", rep.Weeks, []string{"2026-10-19", "2026-10-26"})
		got := map[string]map[string]map[string]int64{}
		for _, o := range rep.Owners {
			got[o.Name] = o.Weeks
		}
		eq(t, "per owner", got, map[string]map[string]map[string]int64{
			"r1": {"2026-10-19": {"call": 2}, "2026-10-26": {"visit": 1}},
			"r2": {"2026-10-26": {"email": 1}},
			"r3": {"2026-10-19": {"meeting": 1}},
		})
		idle := func(rep crm.ActivityReport) []string {
			var out []string
			for _, d := range rep.Idle {
				out = append(out, fmt.Sprintf("%s %d", d.Title, d.Days))
			}
			return out
		}
		eq(t, "idle", idle(rep), []string{"商机03 93", "商机10 23"})
		eq(t, "idle total", rep.IdleTotal, 2)
		eq(t, "idle days", rep.IdleDays, 14)
		boss.do("GET", "/api/v1/reports/activity?from=2026-10-19&to=2026-11-01&idle_days=30", nil).ok(200, &rep)
		eq(t, "idle 30", idle(rep), []string{"商机03 93"})
		r1.do("GET", "/api/v1/reports/activity?from=2026-10-19&to=2026-11-01", nil).ok(200, &rep)
		eq(t, "rep owners", len(rep.Owners), 1)
		eq(t, "rep idle", idle(rep), []string{"商机03 93"})
	})
}

func TestReportBadParameters(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		seedReports(t, e)
		c := e.login("m1")
		for _, tc := range []struct{ path, field string }{
			{"/api/v1/reports/forecast?period=week", "period"},
			{"/api/v1/reports/forecast?from=2026-13-01", "from"},
			{"/api/v1/reports/forecast?from=2026-11-01&to=2026-10-01", "to"},
			{"/api/v1/reports/forecast?from=2020-01-01&to=2026-10-01", "to"},
			{"/api/v1/reports/pipeline?as_of=2027-01-01", "as_of"},
			{"/api/v1/reports/pipeline?as_of=yesterday", "as_of"},
			{"/api/v1/reports/pipeline?owner_id=abc", "owner_id"},
			{"/api/v1/reports/funnel?team_id=-1", "team_id"},
			{"/api/v1/reports/activity?idle_days=0", "idle_days"},
			{"/api/v1/reports/win-loss?format=pdf", "format"},
			{"/api/v1/reports/receivables?format=pdf", "format"},
		} {
			c.do("GET", tc.path, nil).failField(tc.field)
		}
		e.anon().do("GET", "/api/v1/reports/pipeline", nil).fail(401, "unauthenticated")
	})
}

func TestReportDownloads(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		seedReports(t, e)
		boss := e.login("boss")
		boss.lang = "en"
		res := boss.do("GET", "/api/v1/reports/pipeline?format=csv", nil).ok(200, nil)
		eq(t, "csv type", res.Header.Get("Content-Type"), "text/csv; charset=utf-8")
		rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(res.Body, []byte("\uFEFF")))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		eq(t, "csv heading", rows[0], []string{"Stage", "Probability %", "Deals", "Amount (yuan)", "Weighted (yuan)"})
		eq(t, "csv commit row", rows[6], []string{"Commit", "90", "2", "150000.00", "135000.00"})
		eq(t, "csv total", rows[7], []string{"Total", "", "7", "260000.00", "191000.00"})

		for _, report := range []string{"pipeline", "forecast", "funnel", "win-loss", "receivables", "activity"} {
			for _, lang := range []string{"zh-CN", "en"} {
				boss.lang = lang
				res := boss.do("GET", "/api/v1/reports/"+report+"?format=xlsx&from=2026-06-01&to=2026-11-02", nil).ok(200, nil)
				eq(t, report+" xlsx type", res.Header.Get("Content-Type"), xlsxType)
				f, err := excelize.OpenReader(bytes.NewReader(res.Body))
				if err != nil {
					t.Fatalf("%s: %v", report, err)
				}
				sheets := f.GetSheetList()
				rows, err := f.GetRows(sheets[0])
				if err != nil || len(rows) < 2 {
					t.Fatalf("%s: rows %v, %v", report, rows, err)
				}
				if lang == "zh-CN" && !strings.ContainsAny(strings.Join(rows[0], ""), "阶段期间负责人维度周") {
					t.Errorf("%s: zh-CN headings %v", report, rows[0])
				}
				f.Close()
			}
		}
		boss.lang = "zh-CN"
		res = boss.do("GET", "/api/v1/reports/receivables?format=xlsx", nil).ok(200, nil)
		f, err := excelize.OpenReader(bytes.NewReader(res.Body))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rows, err = f.GetRows(f.GetSheetList()[0])
		if err != nil {
			t.Fatal(err)
		}
		eq(t, "xlsx heading", rows[0][:4], []string{"负责人", "合同额（元）", "已回款（元）", "未回款（元）"})
		eq(t, "xlsx total row", rows[len(rows)-1][0], "合计")
		// A rep's download holds only their own figures.
		r1 := e.login("r1")
		res = r1.do("GET", "/api/v1/reports/receivables?format=csv", nil).ok(200, nil)
		if strings.Contains(string(res.Body), "r2") {
			t.Errorf("rep's CSV shows another rep: %s", res.Body)
		}
	})
}

// TestReportPipelineFollowsWrites checks that the pipeline's summary
// (report_pipeline_totals, kept by triggers) stays equal to the deals
// themselves through every kind of write the service makes.
func TestReportPipelineFollowsWrites(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		s := seedReports(t, e)
		ctx := context.Background()
		boss := crm.ActorOf(s.boss)
		check := func(what string) {
			t.Helper()
			rep, err := e.svc.ReportPipeline(ctx, boss, crm.ReportQuery{})
			if err != nil {
				t.Fatal(err)
			}
			// The same figures straight from the deals, grouped in Go.
			want := map[string]fig{}
			page, err := e.svc.Deals(ctx, boss, crm.DealFilter{ListParams: crm.ListParams{Limit: crm.MaxLimit}})
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range page.Items {
				if st := e.svc.Playbook.Stage(d.Stage); st != nil && st.Probability < 100 && d.Stage != crm.StageLost {
					f := want[d.Stage]
					f.Count++
					f.Amount += d.Amount
					f.Weighted += d.Amount * int64(st.Probability) / 100
					want[d.Stage] = f
				}
			}
			got := map[string]fig{}
			for _, st := range rep.Stages {
				if st.Count != 0 {
					got[st.Stage] = st.Figures
				}
			}
			eq(t, what, got, want)
			owners := map[int64]int64{}
			for _, o := range rep.Owners {
				owners[*o.OwnerID] = o.Total.Count
			}
			wantOwners := map[int64]int64{}
			for _, d := range page.Items {
				if _, ok := want[d.Stage]; ok {
					wantOwners[d.OwnerID]++
				}
			}
			eq(t, what+", owners", owners, wantOwners)
		}
		check("seeded")
		d, err := e.svc.CreateDeal(ctx, boss, crm.DealInput{AccountID: 1, OwnerID: s.r1.ID, Title: "新商机", Amount: 1_234_500})
		if err != nil {
			t.Fatal(err)
		}
		check("created")
		if d, err = e.svc.UpdateDeal(ctx, boss, d.ID, crm.DealPatch{Version: d.Version, Amount: crm.Some(int64(2_000_000))}); err != nil {
			t.Fatal(err)
		}
		check("amount changed")
		if d, err = e.svc.MoveDealStage(ctx, boss, d.ID, crm.StageMove{Stage: "demo", Reason: "测试", Override: true}); err != nil {
			t.Fatal(err)
		}
		check("moved")
		if d, err = e.svc.UpdateDeal(ctx, boss, d.ID, crm.DealPatch{Version: d.Version, OwnerID: crm.Some(s.r2.ID)}); err != nil {
			t.Fatal(err)
		}
		check("reassigned")
		if d, err = e.svc.UpdateDeal(ctx, boss, d.ID, crm.DealPatch{Version: d.Version, Title: crm.Some("改名")}); err != nil {
			t.Fatal(err)
		}
		check("renamed")
		if _, err = e.svc.MoveDealStage(ctx, boss, d.ID, crm.StageMove{Stage: crm.StageLost, Reason: "预算取消"}); err != nil {
			t.Fatal(err)
		}
		check("lost")
		if err := e.svc.DeleteDeal(ctx, boss, 2, 1); err != nil {
			t.Fatal(err)
		}
		check("deleted")
	})
}

// TestReportForecastFollowsWrites checks that the forecast's summaries
// (report_forecast_totals and report_forecast_months, kept by the
// triggers of migrations 0010 and 0012) stay equal to the live deals
// grouped by close day, and by close month, owner and stage through every
// kind of write: the service's, an import's, and SQL by hand.
func TestReportForecastFollowsWrites(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		s := seedReports(t, e)
		ctx := context.Background()
		boss := crm.ActorOf(s.boss)
		month := "substr(expected_close_date, 1, 7)"
		if e.db.Engine() == store.Postgres {
			month = "to_char(expected_close_date, 'YYYY-MM')"
		}
		check := func(what string) {
			t.Helper()
			eq(t, what, rawRows(t, e, `SELECT CAST(close_date AS TEXT), owner_id, stage, deals, amount FROM report_forecast_totals
				WHERE deals <> 0 OR amount <> 0 ORDER BY 1, 2, 3`),
				rawRows(t, e, `SELECT CAST(expected_close_date AS TEXT), owner_id, stage, COUNT(*), SUM(amount) FROM deals
				WHERE deleted_at IS NULL AND expected_close_date IS NOT NULL
				GROUP BY expected_close_date, owner_id, stage ORDER BY 1, 2, 3`))
			eq(t, what+", months", rawRows(t, e, `SELECT month, owner_id, stage, deals, amount FROM report_forecast_months
				WHERE deals <> 0 OR amount <> 0 ORDER BY 1, 2, 3`),
				rawRows(t, e, `SELECT `+month+`, owner_id, stage, COUNT(*), SUM(amount) FROM deals
				WHERE deleted_at IS NULL AND expected_close_date IS NOT NULL
				GROUP BY `+month+`, owner_id, stage ORDER BY 1, 2, 3`))
		}
		check("seeded")
		closeOn := crm.Date{Time: time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)}
		d, err := e.svc.CreateDeal(ctx, boss, crm.DealInput{AccountID: 1, OwnerID: s.r1.ID, Title: "新商机", Amount: 1_234_500, ExpectedCloseDate: &closeOn})
		if err != nil {
			t.Fatal(err)
		}
		check("created")
		if d, err = e.svc.UpdateDeal(ctx, boss, d.ID, crm.DealPatch{Version: d.Version, Amount: crm.Some(int64(2_000_000))}); err != nil {
			t.Fatal(err)
		}
		check("amount changed")
		if d, err = e.svc.MoveDealStage(ctx, boss, d.ID, crm.StageMove{Stage: "demo", Reason: "测试", Override: true}); err != nil {
			t.Fatal(err)
		}
		check("moved")
		if d, err = e.svc.UpdateDeal(ctx, boss, d.ID, crm.DealPatch{Version: d.Version, OwnerID: crm.Some(s.r2.ID)}); err != nil {
			t.Fatal(err)
		}
		check("reassigned")
		// Onto a day another deal of the same owner and stage closes on
		// (d6: r2, demo, 2026-11-30), so the two share one summary row.
		later := crm.Date{Time: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)}
		if d, err = e.svc.UpdateDeal(ctx, boss, d.ID, crm.DealPatch{Version: d.Version, ExpectedCloseDate: crm.Some(later)}); err != nil {
			t.Fatal(err)
		}
		check("close date changed")
		// Within the month, then into the next one.
		for _, on := range []time.Time{time.Date(2026, 11, 12, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 5, 0, 0, 0, 0, time.UTC)} {
			if d, err = e.svc.UpdateDeal(ctx, boss, d.ID, crm.DealPatch{Version: d.Version, ExpectedCloseDate: crm.Some(crm.Date{Time: on})}); err != nil {
				t.Fatal(err)
			}
			check("close date changed to " + on.Format(crm.DateLayout))
		}
		if d, err = e.svc.UpdateDeal(ctx, boss, d.ID, crm.DealPatch{Version: d.Version, Title: crm.Some("改名")}); err != nil {
			t.Fatal(err)
		}
		check("renamed")
		if _, err = e.svc.MoveDealStage(ctx, boss, d.ID, crm.StageMove{Stage: crm.StageLost, Reason: "预算取消"}); err != nil {
			t.Fatal(err)
		}
		check("lost")
		if err := e.svc.DeleteDeal(ctx, boss, 2, 1); err != nil {
			t.Fatal(err)
		}
		check("deleted")
		csvData := "商机名称,客户名称,负责人,阶段,金额,预计成交日期\n导入一,甲公司,r1,demo,12000,2026-12-15\n导入二,乙公司,r2,prospecting,3000,2027-02-01\n"
		tb, err := tabular.Read(strings.NewReader(csvData), tabular.Limits{MaxBytes: 1 << 20, MaxRows: 100, MaxCols: 20, MaxCell: 1000})
		if err != nil {
			t.Fatal(err)
		}
		res, err := e.svc.Import(ctx, boss, crm.ImportRequest{Kind: crm.KindDeals, Mode: crm.ImportAllOrNothing, Table: tb})
		if err != nil {
			t.Fatal(err)
		}
		if res.Inserted != 2 {
			t.Fatalf("import: %+v", res)
		}
		check("imported")
		// SQL by hand: the close date cleared, a deal removed for good,
		// close dates moved across months (one deal, then several at once
		// onto a month some already close in), an amount and an owner
		// changed, a deal restored.
		rawExec(t, e, []string{`UPDATE deals SET expected_close_date = NULL WHERE id = 1`, `DELETE FROM deals WHERE id = 10`})
		check("by hand")
		rawExec(t, e, []string{`UPDATE deals SET expected_close_date = '2027-03-01' WHERE id = 2`,
			`UPDATE deals SET expected_close_date = '2026-12-20' WHERE id IN (3, 4, 6)`,
			fmt.Sprintf(`UPDATE deals SET amount = amount + 1, owner_id = %d WHERE id = 8`, s.r1.ID),
			`UPDATE deals SET deleted_at = NULL WHERE id = 11`})
		check("by hand, across months")
	})
}

// rawRows reads a query's rows as strings, over a connection of its own.
func rawRows(t *testing.T, e *env, query string) [][]string {
	t.Helper()
	var raw *sql.DB
	var err error
	if e.db.Engine() == store.Postgres {
		raw, err = sql.Open("pgx", e.dbURL)
	} else {
		raw, err = sql.Open("sqlite", "file:"+e.dbURL+"?_pragma=busy_timeout(10000)")
	}
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	rows, err := raw.QueryContext(context.Background(), query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out [][]string
	for rows.Next() {
		var c [5]any
		if err := rows.Scan(&c[0], &c[1], &c[2], &c[3], &c[4]); err != nil {
			t.Fatal(err)
		}
		row := make([]string, len(c))
		for i, v := range c {
			row[i] = fmt.Sprint(v)
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
