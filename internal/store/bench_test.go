package store_test

// Benchmarks of the foundation's acceptance (docs/benchmarks.md): create a
// deal, and list 50 deals out of 100,000, on every engine of the run. The
// data set is seeded only inside the Benchmark functions, so `go test ./...`
// never pays for it.

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/store"
	"github.com/dealpath/dealpath/internal/store/storetest"
)

// The size of the benchmark data set.
const (
	benchTeams   = 4
	benchPerTeam = 5 // one manager and four reps
	benchPage    = 50
)

var benchNow = storetest.SeedNow

// benchSet is a seeded database and the people to list its deals as.
type benchSet struct {
	db *store.DB
	// manager leads the first team; rep is one of its members.
	managerID, teamID, repID int64
	// repAccount is an account the rep owns.
	repAccount int64
}

func (s *benchSet) adminScope() crm.Scope   { return crm.Scope{All: true} }
func (s *benchSet) managerScope() crm.Scope { return crm.Scope{TeamID: s.teamID, OwnerID: s.managerID} }
func (s *benchSet) repScope() crm.Scope     { return crm.Scope{OwnerID: s.repID} }

// seedBench opens a fresh database of the engine and fills it: 4 teams of
// 5 users (a manager and four reps) plus an admin, 2,000 accounts spread
// over the team members, and 100,000 deals (50 per account, owned by the
// account's owner) over every stage, with varied amounts and close dates,
// one in ten without a close date. Accounts and deals go in with batched
// multi-row INSERTs in one transaction.
func seedBench(b *testing.B, engine string) *benchSet {
	b.Helper()
	db, where := storetest.MustOpenURL(b, engine)
	return seedInto(b, db, where)
}

// seedInto seeds an empty, migrated database; where reaches it again (a
// PostgreSQL URL or the SQLite path).
func seedInto(b *testing.B, db *store.DB, where string) *benchSet {
	b.Helper()
	ctx := context.Background()
	engine := db.Engine()
	set := &benchSet{db: db}

	admin := &crm.User{Version: 1, Username: "admin", DisplayName: "admin", Role: crm.RoleAdmin, Language: "zh-CN", PasswordHash: "x", CreatedAt: benchNow, UpdatedAt: benchNow}
	if err := db.CreateUser(ctx, admin); err != nil {
		b.Fatalf("create admin: %v", err)
	}
	var members []int64 // every team member, in team order
	for t := range benchTeams {
		team := &crm.Team{Version: 1, Name: fmt.Sprintf("team-%d", t), CreatedAt: benchNow, UpdatedAt: benchNow}
		if err := db.CreateTeam(ctx, team); err != nil {
			b.Fatalf("create team: %v", err)
		}
		for m := range benchPerTeam {
			role := crm.RoleRep
			if m == 0 {
				role = crm.RoleManager
			}
			u := &crm.User{Version: 1, Username: fmt.Sprintf("u%d-%d", t, m), Role: role, TeamID: &team.ID, Language: "zh-CN",
				PasswordHash: "x", CreatedAt: benchNow, UpdatedAt: benchNow}
			if err := db.CreateUser(ctx, u); err != nil {
				b.Fatalf("create user: %v", err)
			}
			members = append(members, u.ID)
			switch {
			case t == 0 && m == 0:
				set.teamID, set.managerID = team.ID, u.ID
			case t == 0 && m == 1:
				set.repID = u.ID
			}
		}
	}

	for _, a := range storetest.SeedDeals(b, where, engine, members) {
		if a.OwnerID == set.repID {
			set.repAccount = a.ID
			break
		}
	}
	return set
}

// BenchmarkCreateDeal inserts one deal per iteration, through the store,
// into a table that already holds 100,000.
func BenchmarkCreateDeal(b *testing.B) {
	for _, engine := range storetest.Engines() {
		set := seedBench(b, engine)
		b.Run(engine, func(b *testing.B) {
			ctx := context.Background()
			closeDate := crm.Date{Time: time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC)}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				d := &crm.Deal{Version: 1, AccountID: set.repAccount, OwnerID: set.repID, Title: "苏州进销存项目 追加", Stage: "prospecting",
					Amount: 12_800_000, ExpectedCloseDate: &closeDate, Probability: 5, NextStep: "约演示",
					StageChangedAt: benchNow, CreatedAt: benchNow, UpdatedAt: benchNow}
				if err := set.db.CreateDeal(ctx, d); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkListDeals reads one page of 50 deals out of 100,000, per engine
// and per kind of list a user asks for.
func BenchmarkListDeals(b *testing.B) {
	for _, engine := range storetest.Engines() {
		b.Run(engine, func(b *testing.B) {
			set := seedBench(b, engine)
			ctx := context.Background()
			page := func(f crm.DealFilter) crm.DealFilter {
				f.Limit = benchPage
				return f
			}
			// The cursor of page 100, walked to once before timing.
			deep := page(crm.DealFilter{Scope: set.adminScope(), ListParams: crm.ListParams{Sort: "expected_close_date"}})
			for range 99 {
				p, err := set.db.ListDeals(ctx, deep)
				if err != nil || p.NextCursor == "" {
					b.Fatalf("walk to page 100: %v", err)
				}
				deep.Cursor = p.NextCursor
			}
			for _, v := range []struct {
				name string
				f    crm.DealFilter
				want int // items on the page
			}{
				{"admin/close_date", page(crm.DealFilter{Scope: set.adminScope(), ListParams: crm.ListParams{Sort: "expected_close_date"}}), benchPage},
				{"admin/stage_negotiation/-amount", page(crm.DealFilter{Scope: set.adminScope(), Stage: "negotiation", ListParams: crm.ListParams{Sort: "-amount"}}), benchPage},
				{"manager_team/close_date", page(crm.DealFilter{Scope: set.managerScope(), ListParams: crm.ListParams{Sort: "expected_close_date"}}), benchPage},
				{"rep_own/close_date", page(crm.DealFilter{Scope: set.repScope(), ListParams: crm.ListParams{Sort: "expected_close_date"}}), benchPage},
				{"admin/page_100", deep, benchPage},
				{"admin/with_total", page(crm.DealFilter{Scope: set.adminScope(), ListParams: crm.ListParams{Sort: "expected_close_date", WithTotal: true}}), benchPage},
				// "wms" is in one title in eight; "012345" in exactly one,
				// so that search reads every row.
				{"admin/q_common", page(crm.DealFilter{Scope: set.adminScope(), ListParams: crm.ListParams{Sort: "expected_close_date", Q: "wms"}}), benchPage},
				{"admin/q_rare", page(crm.DealFilter{Scope: set.adminScope(), ListParams: crm.ListParams{Sort: "expected_close_date", Q: "012345"}}), 1},
			} {
				b.Run(v.name, func(b *testing.B) {
					p, err := set.db.ListDeals(ctx, v.f)
					if err != nil {
						b.Fatal(err)
					}
					if len(p.Items) != v.want {
						b.Fatalf("page has %d items, want %d", len(p.Items), v.want)
					}
					b.ReportAllocs()
					b.ResetTimer()
					for b.Loop() {
						if _, err := set.db.ListDeals(ctx, v.f); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}
