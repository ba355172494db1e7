package store_test

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/store"
	"github.com/dealpath/dealpath/internal/store/storetest"
)

// Two deals of one owner moved back and forth in opposite directions at
// once touch the same two summary rows of the pipeline and forecast
// reports. The triggers must take those rows in one order, or PostgreSQL
// aborts one of the moves as a deadlock (seen at concurrency 32 under the
// load generator). Afterwards the summaries must still add up. The moves
// are between stages, then between close dates in two months (different
// days per deal, so that only the month rows of report_forecast_months,
// migration 0012, are shared).
func TestReportSummariesTakeOppositeMovesWithoutDeadlock(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		owner := mustUser(t, db, "rep1", crm.RoleRep, nil)
		acc := mustAccount(t, db, "甲公司", owner.ID)
		const moves = 150
		// race moves two deals at once, each n times, set giving the deal
		// its state for the nth move.
		race := func(deals [2]*crm.Deal, set func(i, n int, d *crm.Deal)) {
			t.Helper()
			var wg sync.WaitGroup
			errs := make(chan error, 2)
			for i := range deals {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					d := *deals[i]
					for n := 1; n <= moves; n++ {
						upd := d
						set(i, n, &upd)
						if err := db.UpdateDeal(ctx, &upd, d.Version, nil); err != nil {
							errs <- err
							return
						}
						d = upd
					}
				}(i)
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatalf("a move failed: %v", err)
			}
		}
		stages := [2]string{"prospecting", "compelling_event"}
		var deals [2]*crm.Deal
		for i := range deals {
			deals[i] = mustDeal(t, db, &crm.Deal{AccountID: acc.ID, OwnerID: owner.ID, Title: "往返", Stage: stages[i],
				Amount: 100, ExpectedCloseDate: datep("2026-12-01"), Probability: 10})
		}
		race(deals, func(i, n int, d *crm.Deal) { d.Stage = stages[(i+n)%2] })
		cells, err := db.PipelineCells(ctx, crm.ReportFilter{Scope: crm.Scope{All: true}, Stages: stages[:]})
		if err != nil {
			t.Fatal(err)
		}
		var n int64
		for _, c := range cells {
			n += c.Count
		}
		if n != 2 {
			t.Errorf("pipeline summary counts %d deals, want 2: %+v", n, cells)
		}

		days := [2][2]string{{"2026-12-01", "2027-01-15"}, {"2027-01-20", "2026-12-05"}}
		for i := range deals {
			deals[i] = mustDeal(t, db, &crm.Deal{AccountID: acc.ID, OwnerID: owner.ID, Title: "改期", Stage: "demo",
				Amount: 100, ExpectedCloseDate: datep(days[i][0]), Probability: 10})
		}
		race(deals, func(i, n int, d *crm.Deal) { d.ExpectedCloseDate = datep(days[i][n%2]) })
		f := crm.ReportFilter{Scope: crm.Scope{All: true}, From: *datep("2026-12-01"), To: *datep("2027-01-31"), Today: *datep("2026-11-02")}
		fc, err := db.ForecastCells(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int64{}
		for _, c := range fc {
			if c.Stage == "demo" {
				got[c.Month] += c.Count
			}
		}
		// 150 moves: each deal is back on its first day.
		if want := map[string]int64{"2026-12": 1, "2027-01": 1}; !reflect.DeepEqual(got, want) {
			t.Errorf("forecast summary counts %v demo deals per month, want %v", got, want)
		}
	})
}

// Migration 0014's day-by-day pipeline changes are summary rows that
// opposite moves share too (see TestReportSummariesTakeOppositeMovesWithoutDeadlock).
// Afterwards the summaries must still add up, read either way.
func TestReportHistoryTakesOppositeMovesWithoutDeadlock(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		// With a close date the forecast's trigger takes its two rows
		// first and so orders the moves for the others; without one, the
		// pipeline's triggers have to keep the order themselves.
		for pass, closeDate := range []*crm.Date{datep("2026-12-01"), nil} {
			oppositeMoves(t, db, pass, closeDate)
		}
	})
}

// oppositeMoves moves two new deals of a new owner back and forth at once
// and checks the pipeline summaries of that owner.
func oppositeMoves(t *testing.T, db *store.DB, pass int, closeDate *crm.Date) {
	ctx := context.Background()
	owner := mustUser(t, db, fmt.Sprintf("rep%d", pass), crm.RoleRep, nil)
	acc := mustAccount(t, db, fmt.Sprintf("甲公司%d", pass), owner.ID)
	stages := [2]string{"prospecting", "compelling_event"}
	var deals [2]*crm.Deal
	for i := range deals {
		deals[i] = mustDeal(t, db, &crm.Deal{AccountID: acc.ID, OwnerID: owner.ID, Title: "往返", Stage: stages[i],
			Amount: 100, ExpectedCloseDate: closeDate, Probability: 10})
	}
	const moves = 150
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for i := range deals {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			d := *deals[i]
			for n := 1; n <= moves; n++ {
				upd := d
				upd.Stage = stages[(i+n)%2]
				if err := db.UpdateDeal(ctx, &upd, d.Version, nil); err != nil {
					errs <- err
					return
				}
				d = upd
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("a move failed: %v", err)
	}
	cells, err := db.PipelineCells(ctx, crm.ReportFilter{Scope: crm.Scope{OwnerID: owner.ID}, Stages: stages[:]})
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, c := range cells {
		n += c.Count
	}
	if n != 2 {
		t.Errorf("pipeline summary counts %d deals, want 2: %+v", n, cells)
	}
	// The day-by-day changes (migration 0014) took their rows in key
	// order too, and still add up, read either way.
	f := crm.ReportFilter{Scope: crm.Scope{OwnerID: owner.ID}, Stages: stages[:]}
	fromStart, fromTotals, err := db.PipelineAsOfBothWays(ctx, f, *datep("2100-01-01"))
	if err != nil {
		t.Fatal(err)
	}
	for what, cells := range map[string][]crm.StageCell{"from the first day": fromStart, "from the totals": fromTotals} {
		var n int64
		for _, c := range cells {
			n += c.Count
		}
		if n != 2 {
			t.Errorf("pipeline changes %s count %d deals, want 2: %+v", what, n, cells)
		}
	}
}
