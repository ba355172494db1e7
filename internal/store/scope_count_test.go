package store_test

import (
	"context"
	"testing"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/store"
	"github.com/dealpath/dealpath/internal/store/storetest"
)

// TestTeamScopeTotalCountsThePage checks that with_total under a manager's
// team scope, which counts in another form than the page selects (see
// listQuery.scope), counts exactly the rows the pages hold: the team's, and
// the manager's own even when the manager is outside the team.
func TestTeamScopeTotalCountsThePage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		team := mustTeam(t, db, "华东")
		other := mustTeam(t, db, "华南")
		m := mustUser(t, db, "m", crm.RoleManager, nil)
		in1 := mustUser(t, db, "in1", crm.RoleRep, &team.ID)
		in2 := mustUser(t, db, "in2", crm.RoleRep, &team.ID)
		out := mustUser(t, db, "out", crm.RoleRep, &other.ID)
		want := map[int64]bool{}
		for i, owner := range []int64{m.ID, in1.ID, in2.ID, out.ID, in1.ID, out.ID, m.ID} {
			a := mustAccount(t, db, "客户"+string(rune('甲'+i)), owner)
			d := mustDeal(t, db, &crm.Deal{AccountID: a.ID, OwnerID: owner, Title: "项目"})
			if owner != out.ID {
				want[d.ID] = true
			}
		}
		scope := crm.Scope{TeamID: team.ID, OwnerID: m.ID}
		deals, err := db.ListDeals(ctx, crm.DealFilter{Scope: scope, ListParams: crm.ListParams{Limit: 100, WithTotal: true}})
		if err != nil {
			t.Fatal(err)
		}
		if len(deals.Items) != len(want) || *deals.Total != len(want) {
			t.Fatalf("deals: %d on the page, total %d, want %d", len(deals.Items), *deals.Total, len(want))
		}
		for _, d := range deals.Items {
			if !want[d.ID] {
				t.Errorf("deal %d of user %d is outside the scope", d.ID, d.OwnerID)
			}
		}
		accounts, err := db.ListAccounts(ctx, crm.AccountFilter{Scope: scope, ListParams: crm.ListParams{Limit: 100, WithTotal: true}})
		if err != nil {
			t.Fatal(err)
		}
		if len(accounts.Items) != len(want) || *accounts.Total != len(want) {
			t.Fatalf("accounts: %d on the page, total %d, want %d", len(accounts.Items), *accounts.Total, len(want))
		}
		stage, err := db.ListDeals(ctx, crm.DealFilter{Scope: scope, Stage: crm.StageProspecting, ListParams: crm.ListParams{Limit: 2, WithTotal: true}})
		if err != nil {
			t.Fatal(err)
		}
		if len(stage.Items) != 2 || *stage.Total != len(want) {
			t.Fatalf("a page of 2 with a stage: %d on the page, total %d, want %d", len(stage.Items), *stage.Total, len(want))
		}
	})
}
