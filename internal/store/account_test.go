package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/store"
	"github.com/dealpath/dealpath/internal/store/storetest"
)

func TestAccountRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := mustUser(t, db, "rep1", crm.RoleRep, nil)
		hc, rev, br := 30, int64(2_500_000_000), 2
		d, _ := crm.ParseDate("2024-03-01")
		a := &crm.Account{Version: 1, Name: "杭州示例贸易有限公司", CreditCode: "91330100716105852F", Headcount: &hc,
			BusinessKind: "distribution", Industry: "trading", Ownership: "restructured_soe", RestructuredOn: &d,
			RevenueLastYear: &rev, ExistingSoftware: []string{"finance", "inventory"}, BranchCount: &br,
			PurchasePlan: "within_6_months", Region: "浙江", OwnerID: u.ID, CreditLimit: 100_000_00, CreatedAt: t0, UpdatedAt: t0}
		if err := db.CreateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
		got, err := db.AccountByID(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != a.Name || *got.Headcount != 30 || *got.RevenueLastYear != rev || got.GrossProfit != nil ||
			got.RestructuredOn.String() != "2024-03-01" || len(got.ExistingSoftware) != 2 || !got.CreatedAt.Equal(t0) {
			t.Fatalf("round trip: %+v", got)
		}

		// The same credit code twice is a conflict on the field.
		dup := &crm.Account{Version: 1, Name: "other", CreditCode: a.CreditCode, OwnerID: u.ID, CreatedAt: t0, UpdatedAt: t0}
		wantCode(t, db.CreateAccount(ctx, dup), crm.ECONFLICT)

		// Stale version: conflict, nothing changed.
		got.Name = "changed"
		got.UpdatedAt = t0.Add(time.Hour)
		wantCode(t, db.UpdateAccount(ctx, got, 7, nil), crm.ECONFLICT)
		if err := db.UpdateAccount(ctx, got, 1, nil); err != nil {
			t.Fatal(err)
		}
		again, _ := db.AccountByID(ctx, a.ID)
		if again.Name != "changed" || again.Version != 2 {
			t.Fatalf("after update: %+v", again)
		}
		wantCode(t, db.UpdateAccount(ctx, &crm.Account{ID: 9999, OwnerID: u.ID}, 1, nil), crm.ENOTFOUND)

		// Delete: soft, audited, then gone from reads.
		audit := &crm.AuditEntry{ActorID: u.ID, EntityType: "account", EntityID: a.ID, Action: "delete", CreatedAt: t0}
		wantCode(t, db.DeleteAccount(ctx, a.ID, 1, audit), crm.ECONFLICT)
		if err := db.DeleteAccount(ctx, a.ID, 2, audit); err != nil {
			t.Fatal(err)
		}
		_, err = db.AccountByID(ctx, a.ID)
		wantCode(t, err, crm.ENOTFOUND)
		log, err := db.AuditFor(ctx, "account", a.ID)
		if err != nil || len(log) != 1 {
			t.Fatalf("audit = %v, %v", log, err)
		}
	})
}

func TestAccountListPagesScopesAndSearches(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		team := &crm.Team{Version: 1, Name: "华东", CreatedAt: t0, UpdatedAt: t0}
		if err := db.CreateTeam(ctx, team); err != nil {
			t.Fatal(err)
		}
		r1 := mustUser(t, db, "r1", crm.RoleRep, &team.ID)
		r2 := mustUser(t, db, "r2", crm.RoleRep, &team.ID)
		r3 := mustUser(t, db, "r3", crm.RoleRep, nil)
		for i := 0; i < 25; i++ {
			mustAccount(t, db, fmt.Sprintf("公司%02d", i), r1.ID)
		}
		mustAccount(t, db, "Acme_100% Ltd", r2.ID)
		mustAccount(t, db, "外人公司", r3.ID)

		// Walk all pages of r1's own accounts.
		seen := map[int64]bool{}
		f := crm.AccountFilter{Scope: crm.Scope{OwnerID: r1.ID}, ListParams: crm.ListParams{Limit: 10, Sort: "-name", WithTotal: true}}
		prev := "\uffff"
		for pages := 0; ; pages++ {
			p, err := db.ListAccounts(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if *p.Total != 25 {
				t.Fatalf("total = %d", *p.Total)
			}
			for _, a := range p.Items {
				if seen[a.ID] || a.OwnerID != r1.ID || a.Name >= prev {
					t.Fatalf("page %d: bad item %+v after %q", pages, a, prev)
				}
				seen[a.ID] = true
				prev = a.Name
			}
			if p.NextCursor == "" {
				break
			}
			f.Cursor = p.NextCursor
		}
		if len(seen) != 25 {
			t.Fatalf("saw %d accounts, want 25", len(seen))
		}

		// A manager's team scope covers r1 and r2, not r3.
		p, err := db.ListAccounts(ctx, crm.AccountFilter{Scope: crm.Scope{TeamID: team.ID, OwnerID: 0}, ListParams: crm.ListParams{Limit: 500, WithTotal: true}})
		if err != nil || *p.Total != 26 {
			t.Fatalf("team scope total = %v, %v", p, err)
		}

		// Search treats LIKE wildcards literally and finds Chinese substrings.
		for q, want := range map[string]int{"100%": 1, "_": 1, "公司1": 10, "外人": 1, "acme": 1, "nomatch": 0} {
			p, err := db.ListAccounts(ctx, crm.AccountFilter{Scope: crm.Scope{All: true}, ListParams: crm.ListParams{Limit: 50, Q: q}})
			if err != nil || len(p.Items) != want {
				t.Fatalf("q=%q: %d items, err %v; want %d", q, len(p.Items), err, want)
			}
		}

		// A forged cursor is invalid input, not a server error.
		for _, c := range []string{"!!!", "eyJzIjoiIiwiayI6e30sImkiOjF9", "e30"} {
			_, err := db.ListAccounts(ctx, crm.AccountFilter{Scope: crm.Scope{All: true}, ListParams: crm.ListParams{Limit: 5, Cursor: c}})
			wantCode(t, err, crm.EINVALID)
		}
	})
}
