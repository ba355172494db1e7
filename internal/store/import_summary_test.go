package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/store/storetest"
)

// TestImportKeepsReportSummaries imports deals over several owners,
// stages and close dates (some unset), in more than one COPY batch, onto
// summary rows that exist already, and checks that every report summary
// kept by triggers on deals equals the deals grouped: after the import,
// after a failed import, and after a deal created one by one. On
// PostgreSQL an import's COPY reaches them through one statement trigger
// per batch (migration 0017), a single insert through the same trigger.
func TestImportKeepsReportSummaries(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			fill := func(t *testing.T) {
				db, where := storetest.MustOpenURL(t, engine)
				raw := openRaw(t, engine, where)
				admin := mustUser(t, db, "admin", crm.RoleAdmin, nil)
				reps := []*crm.User{mustUser(t, db, "rep1", crm.RoleRep, nil), mustUser(t, db, "rep2", crm.RoleRep, nil)}
				var accounts []*crm.Account
				for i := range 20 {
					accounts = append(accounts, mustAccount(t, db, fmt.Sprint("公司", i), reps[i%2].ID))
				}
				// Summary rows that exist before the import.
				for i, st := range []string{"prospecting", "demo"} {
					d := summaryDeal(accounts[i], st, 5, 1_000_00)
					if err := db.CreateDeal(ctx, d); err != nil {
						t.Fatal(err)
					}
				}
				var ds []*crm.Deal
				for i := range 7000 {
					a := accounts[i%len(accounts)]
					owner := a.OwnerID
					if i%7 == 0 {
						owner = admin.ID
					}
					d := summaryDeal(a, crm.Stages[i%len(crm.Stages)], i, int64(10_000+i)*100)
					d.OwnerID = owner
					ds = append(ds, d)
				}
				audit := &crm.AuditEntry{EntityType: "import", Action: "import", CreatedAt: t0}
				if err := db.InsertDeals(ctx, ds, audit, nil); err != nil {
					t.Fatal(err)
				}
				checkSummaries(t, raw, "after the import")
				// A failed import: the account of its last deal does not
				// exist.
				bad := []*crm.Deal{summaryDeal(accounts[0], "demo", 3, 100), summaryDeal(accounts[1], "demo", 3, 100)}
				bad[1].AccountID = 999_999
				if err := db.InsertDeals(ctx, bad, audit, nil); crm.ErrorCode(err) != crm.ECONFLICT {
					t.Fatalf("import onto a missing account: %v, want a conflict", err)
				}
				checkSummaries(t, raw, "after a failed import")
				// The triggers work again.
				if err := db.CreateDeal(ctx, summaryDeal(accounts[3], "negotiation", 9, 777_00)); err != nil {
					t.Fatal(err)
				}
				checkSummaries(t, raw, "after a deal created after the imports")
			}
			fill(t)
		})
	}
}

// summaryDeal is a deal on account a in stage st; every fifth has no
// close date, the others one of 40 days.
func summaryDeal(a *crm.Account, st string, i int, amount int64) *crm.Deal {
	d := &crm.Deal{Version: 1, AccountID: a.ID, OwnerID: a.OwnerID, Title: fmt.Sprint("商机", i), Stage: st, Amount: amount,
		StageChangedAt: t0, CreatedAt: t0, UpdatedAt: t0}
	if st == crm.StageLost {
		d.LostReason = "预算取消"
	}
	if i%5 != 0 {
		d.ExpectedCloseDate = &crm.Date{Time: t0.AddDate(0, 0, i%40).Truncate(24 * time.Hour)}
	}
	return d
}

// checkSummaries compares both summaries with the live deals grouped.
func checkSummaries(t *testing.T, raw *sql.DB, what string) {
	t.Helper()
	for _, c := range []struct{ summary, deals string }{
		{"SELECT owner_id, stage, deals, amount FROM report_pipeline_totals WHERE deals <> 0 ORDER BY 1, 2",
			"SELECT owner_id, stage, COUNT(*), SUM(amount) FROM deals WHERE deleted_at IS NULL GROUP BY 1, 2 ORDER BY 1, 2"},
		{"SELECT CAST(close_date AS TEXT), owner_id, stage, deals, amount FROM report_forecast_totals WHERE deals <> 0 ORDER BY 1, 2, 3",
			`SELECT CAST(expected_close_date AS TEXT), owner_id, stage, COUNT(*), SUM(amount) FROM deals
			WHERE deleted_at IS NULL AND expected_close_date IS NOT NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`},
		{"SELECT month, owner_id, stage, deals, amount FROM report_forecast_months WHERE deals <> 0 ORDER BY 1, 2, 3",
			`SELECT substr(CAST(expected_close_date AS TEXT), 1, 7), owner_id, stage, COUNT(*), SUM(amount) FROM deals
			WHERE deleted_at IS NULL AND expected_close_date IS NOT NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`},
		// The pipeline's changes over all days add up to the pipeline.
		{"SELECT owner_id, stage, SUM(deals), SUM(amount) FROM report_pipeline_changes GROUP BY 1, 2 HAVING SUM(deals) <> 0 ORDER BY 1, 2",
			"SELECT owner_id, stage, COUNT(*), SUM(amount) FROM deals WHERE deleted_at IS NULL GROUP BY 1, 2 ORDER BY 1, 2"},
		{"SELECT deal_id, stage FROM deal_stage_entries ORDER BY 1, 2",
			"SELECT id, stage FROM deals ORDER BY 1, 2"},
	} {
		if got, want := rawText(t, raw, c.summary), rawText(t, raw, c.deals); !reflect.DeepEqual(got, want) || len(got) == 0 {
			t.Errorf("%s: %s\n= %v\nwant %v", what, c.summary, got, want)
		}
	}
}

// rawText runs a query and returns its rows as text, one string a row.
func rawText(t *testing.T, raw *sql.DB, q string) []string {
	t.Helper()
	rows, err := raw.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		cells := make([]string, len(vals))
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			cells[i] = fmt.Sprint(v)
		}
		out = append(out, strings.Join(cells, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
