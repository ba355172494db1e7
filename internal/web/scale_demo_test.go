package web_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"testing"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/demo"
	"github.com/dealpath/dealpath/internal/store"
	"github.com/dealpath/dealpath/internal/web"
)

// demoSample is a handful of generated records of each kind, by the path
// prefix that names them in the API and the UI.
type demoSample map[string][]int64

// sampleIDs reads up to n ids of a table, spread over it, with an optional
// condition.
func sampleIDs(t *testing.T, e *env, table, where string, n int) []int64 {
	t.Helper()
	ctx := context.Background()
	q := "SELECT id FROM " + table
	if where != "" {
		q += " WHERE " + where
	}
	q += " ORDER BY id"
	driver, dsn := "pgx", e.dbURL
	if e.db.Engine() == store.SQLite {
		driver, dsn = "sqlite", "file:"+e.dbURL+"?mode=ro"
	}
	raw, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	rows, err := raw.QueryContext(ctx, q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(ids) <= n {
		return ids
	}
	out := make([]int64, 0, n)
	for i := range n {
		out = append(out, ids[i*len(ids)/n])
	}
	return out
}

// TestDemoDataServesEveryPage generates a small demo data set on each
// engine and checks that every API GET route and every UI page answers 200
// for a sample of the generated records (no record of the demo data makes
// the application fail), that every API answer matches docs/openapi.yaml,
// that each deal's records back every gate it has passed, that a deal in
// commit has all six purchase conditions met, and that stored fit grades
// are the service's.
func TestDemoDataServesEveryPage(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		cfg := demo.Config{Accounts: 40, Deals: 400, Teams: 2, RepsPerTeam: 2, Password: testPassword, Seed: 7,
			AsOf: e.clock.Now(), CommitEvery: 15}
		st, err := demo.Generate(ctx, e.db, e.svc, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if st.Accounts != 40 || st.Deals != 400 || st.Users != 6 {
			t.Fatalf("generated %+v", st)
		}
		if _, err := demo.Generate(ctx, e.db, e.svc, cfg); err != demo.ErrNotEmpty {
			t.Fatalf("second run into the same database: %v", err)
		}
		e.user("boss", crm.RoleAdmin, nil)
		admin := e.login("boss")

		// Every stage has deals, and every deal backs the gates it passed.
		deals, err := e.db.ListDeals(ctx, crm.DealFilter{Scope: crm.Scope{All: true}, ListParams: crm.ListParams{Limit: crm.MaxLimit}})
		if err != nil {
			t.Fatal(err)
		}
		byStage := map[string]int{}
		for _, d := range deals.Items {
			byStage[d.Stage]++
			unmet, err := e.svc.PassedGatesUnmet(ctx, crm.SystemActor, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(unmet) > 0 {
				t.Errorf("deal %d in %s: passed gates unmet: %+v", d.ID, d.Stage, unmet)
			}
			if d.Stage == "commit" {
				conds, err := e.db.Conditions(ctx, d.ID)
				if err != nil {
					t.Fatal(err)
				}
				met := 0
				for _, c := range conds {
					if c.Met {
						met++
					}
				}
				if met != len(e.svc.Playbook.Conditions) {
					t.Errorf("deal %d in commit: %d of %d purchase conditions met", d.ID, met, len(e.svc.Playbook.Conditions))
				}
			}
		}
		for _, s := range crm.Stages {
			if byStage[s] == 0 {
				t.Errorf("no deal in stage %s: %v", s, byStage)
			}
		}
		accounts, err := e.db.ListAccounts(ctx, crm.AccountFilter{Scope: crm.Scope{All: true}, ListParams: crm.ListParams{Limit: crm.MaxLimit}})
		if err != nil {
			t.Fatal(err)
		}
		grades := map[string]int{}
		for _, a := range accounts.Items {
			fit, err := e.svc.AccountFit(ctx, crm.SystemActor, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			if a.FitScore == nil || *a.FitScore != fit.Score || a.FitGrade != fit.Grade {
				t.Errorf("account %d: stored fit %v %q, service computes %d %q", a.ID, a.FitScore, a.FitGrade, fit.Score, fit.Grade)
			}
			if !crm.ValidCreditCode(a.CreditCode) && a.CreditCode != "" {
				t.Errorf("account %d: invalid credit code %q", a.ID, a.CreditCode)
			}
			grades[a.FitGrade]++
		}
		if grades["A"] == 0 || grades["D"] == 0 {
			t.Errorf("fit grades do not cover the range: %v", grades)
		}
		if n, err := e.svc.SyncFit(ctx); err != nil || n != 0 {
			t.Errorf("SyncFit after demo rescored %d accounts (%v); the stored grades should be current", n, err)
		}

		// A sample of each kind of record, several per stage for deals.
		sample := demoSample{
			"accounts":   sampleIDs(t, e, "accounts", "", 6),
			"contacts":   sampleIDs(t, e, "contacts", "", 4),
			"activities": sampleIDs(t, e, "activities", "", 4),
			"quotes":     sampleIDs(t, e, "quotes", "", 4),
			"contracts":  sampleIDs(t, e, "contracts", "", 4),
			"approvals":  sampleIDs(t, e, "approvals", "", 3),
			"projects":   sampleIDs(t, e, "projects", "", 4),
			"products":   sampleIDs(t, e, "products", "", 2),
			"teams":      sampleIDs(t, e, "teams", "", 2),
			"users":      sampleIDs(t, e, "users", "", 3),
		}
		for _, s := range crm.Stages {
			sample["deals"] = append(sample["deals"], sampleIDs(t, e, "deals", "stage = '"+s+"'", 2)...)
		}
		for kind, ids := range sample {
			if len(ids) == 0 {
				t.Errorf("demo data has no %s", kind)
			}
		}

		idParam := regexp.MustCompile(`\{[a-z_]+\}`)
		checked := 0
		routes := web.New(crm.NewService(nil), slog.New(slog.NewTextHandler(io.Discard, nil))).Routes()
		for _, r := range routes {
			if r.Method != "GET" {
				continue
			}
			path := r.Pattern
			if !strings.Contains(path, "{") {
				admin.do("GET", path, nil).ok(200, nil)
				checked++
				continue
			}
			// /api/v1/<kind>/{id}/…: the kind names the sample.
			kind := strings.Split(strings.TrimPrefix(strings.TrimPrefix(path, "/api/v1"), "/"), "/")[0]
			ids, ok := sample[kind]
			if !ok {
				t.Logf("no demo sample for %s; not checked", path)
				continue
			}
			for _, id := range ids {
				admin.do("GET", idParam.ReplaceAllString(path, fmt.Sprint(id)), nil).ok(200, nil)
				checked++
			}
		}
		for _, s := range crm.Stages {
			admin.do("GET", "/api/v1/deals?stage="+s+"&sort=expected_close_date&with_total=true", nil).ok(200, nil)
		}
		admin.do("GET", "/api/v1/accounts?q="+strings.TrimSpace("有限"), nil).ok(200, nil)
		if checked < 50 {
			t.Errorf("only %d API requests checked", checked)
		}

		// The UI, as the admin and as a rep whose own records these are.
		pages := []string{"/my-day", "/pipeline", "/pipeline/list", "/accounts", "/accounts/new",
			"/reports/pipeline", "/reports/forecast", "/reports/funnel", "/reports/win-loss", "/reports/receivables", "/reports/activity"}
		for _, id := range sample["accounts"] {
			pages = append(pages, fmt.Sprintf("/accounts/%d", id), fmt.Sprintf("/accounts/%d/edit", id))
		}
		for _, id := range sample["deals"] {
			pages = append(pages, fmt.Sprintf("/deals/%d", id))
		}
		for _, s := range crm.Stages {
			pages = append(pages, "/pipeline/list?stage="+s)
		}
		b := e.browser()
		b.signIn("boss", testPassword)
		for _, p := range pages {
			if got := b.get(p); got.Status != 200 {
				t.Errorf("GET %s as admin: %d\n%.2000s", p, got.Status, got.Body)
			}
		}
		// A deal of a rep's, and the rep.
		var d *crm.Deal
		var owner *crm.User
		for _, id := range sample["deals"] {
			x, err := e.db.DealByID(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			u, err := e.db.UserByID(ctx, x.OwnerID)
			if err != nil {
				t.Fatal(err)
			}
			if u.Role == crm.RoleRep {
				d, owner = x, u
				break
			}
		}
		if d == nil {
			t.Fatal("no sampled deal is a rep's")
		}
		rb := e.browser()
		rb.signIn(owner.Username, testPassword)
		for _, p := range []string{"/my-day", "/pipeline", "/accounts", fmt.Sprintf("/deals/%d", d.ID), fmt.Sprintf("/accounts/%d", d.AccountID)} {
			if got := rb.get(p); got.Status != 200 {
				t.Errorf("GET %s as %s: %d", p, owner.Username, got.Status)
			}
		}
		rep := e.login(owner.Username)
		rep.do("GET", fmt.Sprintf("/api/v1/deals/%d", d.ID), nil).ok(200, nil)
		var page struct {
			Items []crm.Deal `json:"items"`
		}
		rep.do("GET", "/api/v1/deals?limit=200", nil).ok(200, &page)
		for _, x := range page.Items {
			if x.OwnerID != owner.ID {
				t.Errorf("rep %s sees deal %d of user %d", owner.Username, x.ID, x.OwnerID)
			}
		}
		if len(page.Items) == 0 {
			t.Errorf("rep %s owns no demo deals", owner.Username)
		}
	})
}
