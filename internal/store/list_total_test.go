package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/store"
	"github.com/dealpath/dealpath/internal/store/storetest"
)

// TestDealTotalMatchesTheRows checks that with_total on deal lists is the
// exact number of rows the list holds, whether the store counts the rows
// or reads the pipeline summary (every filter the summary answers: scope,
// owner, team, stage), after inserts, stage moves, reassignments and
// deletes.
func TestDealTotalMatchesTheRows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var teams []int64
		for i := range 2 {
			team := &crm.Team{Version: 1, Name: fmt.Sprint("team", i), CreatedAt: t0, UpdatedAt: t0}
			if err := db.CreateTeam(ctx, team); err != nil {
				t.Fatal(err)
			}
			teams = append(teams, team.ID)
		}
		manager := mustUser(t, db, "manager", crm.RoleManager, &teams[0])
		reps := []*crm.User{mustUser(t, db, "rep1", crm.RoleRep, &teams[0]), mustUser(t, db, "rep2", crm.RoleRep, &teams[1]), mustUser(t, db, "rep3", crm.RoleRep, nil)}
		account := mustAccount(t, db, "苏州华美电子有限公司", reps[0].ID)
		var deals []*crm.Deal
		for i := range 40 {
			owner := reps[i%3].ID
			if i%7 == 0 {
				owner = manager.ID
			}
			deals = append(deals, mustDeal(t, db, &crm.Deal{AccountID: account.ID, OwnerID: owner, Title: fmt.Sprint("商机", i), Stage: crm.Stages[i%len(crm.Stages)]}))
		}
		for i, d := range deals[:12] {
			d, err := db.DealByID(ctx, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			switch i % 3 {
			case 0:
				d.Stage = crm.StageLost
			case 1:
				d.OwnerID = reps[(i+1)%3].ID
			case 2:
				if err := db.DeleteDeal(ctx, d.ID, d.Version, &crm.AuditEntry{EntityType: "deal", EntityID: d.ID, Action: "delete", CreatedAt: t0}); err != nil {
					t.Fatal(err)
				}
				continue
			}
			if err := db.UpdateDeal(ctx, d, d.Version, nil); err != nil {
				t.Fatal(err)
			}
		}

		rep0, team1 := reps[0].ID, teams[1]
		for name, f := range map[string]crm.DealFilter{
			"admin":              {Scope: crm.Scope{All: true}},
			"admin, stage":       {Scope: crm.Scope{All: true}, Stage: crm.StageLost},
			"admin, owner":       {Scope: crm.Scope{All: true}, OwnerID: &rep0},
			"admin, team":        {Scope: crm.Scope{All: true}, TeamID: &team1},
			"manager":            {Scope: crm.Scope{TeamID: teams[0], OwnerID: manager.ID}},
			"manager, stage":     {Scope: crm.Scope{TeamID: teams[0], OwnerID: manager.ID}, Stage: crm.StageProspecting},
			"rep":                {Scope: crm.Scope{OwnerID: rep0}},
			"rep, other team":    {Scope: crm.Scope{OwnerID: rep0}, TeamID: &team1},
			"admin, search":      {Scope: crm.Scope{All: true}, ListParams: crm.ListParams{Q: "商机1"}},
			"admin, account":     {Scope: crm.Scope{All: true}, AccountID: &account.ID},
			"admin, no such one": {Scope: crm.Scope{All: true}, Stage: "no_such_stage"},
		} {
			f.Limit, f.WithTotal = 7, true
			rows, total := 0, -1
			for {
				page, err := db.ListDeals(ctx, f)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				rows += len(page.Items)
				if total < 0 {
					total = *page.Total
				}
				if page.NextCursor == "" {
					break
				}
				f.Cursor = page.NextCursor
			}
			if total != rows {
				t.Errorf("%s: total %d, the list holds %d", name, total, rows)
			}
		}
	})
}

// TestAccountTotalMatchesTheRows checks the same for account lists and
// their summary by owner (migration 0016), after inserts, reassignments
// and deletes.
func TestAccountTotalMatchesTheRows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		team := &crm.Team{Version: 1, Name: "team", CreatedAt: t0, UpdatedAt: t0}
		if err := db.CreateTeam(ctx, team); err != nil {
			t.Fatal(err)
		}
		manager := mustUser(t, db, "manager", crm.RoleManager, &team.ID)
		reps := []*crm.User{mustUser(t, db, "rep1", crm.RoleRep, &team.ID), mustUser(t, db, "rep2", crm.RoleRep, nil), manager}
		var accounts []*crm.Account
		for i := range 30 {
			accounts = append(accounts, mustAccount(t, db, fmt.Sprint("客户", i), reps[i%3].ID))
		}
		for i, a := range accounts[:12] {
			a, err := db.AccountByID(ctx, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			if i%2 == 0 {
				if err := db.DeleteAccount(ctx, a.ID, a.Version, &crm.AuditEntry{EntityType: "account", EntityID: a.ID, Action: "delete", CreatedAt: t0}); err != nil {
					t.Fatal(err)
				}
				continue
			}
			a.OwnerID = reps[(i+1)%3].ID
			if err := db.UpdateAccount(ctx, a, a.Version, nil); err != nil {
				t.Fatal(err)
			}
		}

		rep1 := reps[0].ID
		for name, f := range map[string]crm.AccountFilter{
			"admin":          {Scope: crm.Scope{All: true}},
			"admin, owner":   {Scope: crm.Scope{All: true}, OwnerID: &rep1},
			"manager":        {Scope: crm.Scope{TeamID: team.ID, OwnerID: manager.ID}},
			"rep":            {Scope: crm.Scope{OwnerID: rep1}},
			"rep, other one": {Scope: crm.Scope{OwnerID: rep1}, OwnerID: &reps[1].ID},
			"admin, search":  {Scope: crm.Scope{All: true}, ListParams: crm.ListParams{Q: "客户1"}},
			"admin, grade":   {Scope: crm.Scope{All: true}, Grades: []string{"A"}},
		} {
			f.Limit, f.WithTotal = 7, true
			rows, total := 0, -1
			for {
				page, err := db.ListAccounts(ctx, f)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				rows += len(page.Items)
				if total < 0 {
					total = *page.Total
				}
				if page.NextCursor == "" {
					break
				}
				f.Cursor = page.NextCursor
			}
			if total != rows {
				t.Errorf("%s: total %d, the list holds %d", name, total, rows)
			}
		}
	})
}
