package store_test

import (
	"context"
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
// load generator). Afterwards the summary must still add up.
func TestReportSummariesTakeOppositeMovesWithoutDeadlock(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		owner := mustUser(t, db, "rep1", crm.RoleRep, nil)
		acc := mustAccount(t, db, "甲公司", owner.ID)
		stages := [2]string{"prospecting", "compelling_event"}
		var deals [2]*crm.Deal
		for i := range deals {
			deals[i] = mustDeal(t, db, &crm.Deal{AccountID: acc.ID, OwnerID: owner.ID, Title: "往返", Stage: stages[i],
				Amount: 100, ExpectedCloseDate: datep("2026-12-01"), Probability: 10})
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
	})
}
