package store_test

// Benchmarks of the reports (issue 6, docs/benchmarks.md "Reports"): each
// report as the service computes it — every SQL query it runs on the
// engine plus the assembly in Go — for an admin, a manager and a rep, on
// storetest.SeedReportData: DEALPATH_BENCH_DEALS deals (default 100,000)
// with stage history, activities and contracts. Seeding happens only
// inside the Benchmark function, so `go test ./...` never pays for it.
// With DEALPATH_BENCH_KEEP set (storetest.OpenBench) the seeded databases
// are kept and reused by later runs, migrated to the code under test.

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/store"
	"github.com/dealpath/dealpath/internal/store/storetest"
)

// reportBenchSet is a seeded database, its service and the actors.
type reportBenchSet struct {
	db                  *store.DB
	svc                 *crm.Service
	admin, manager, rep crm.Actor
}

func seedReportBench(b *testing.B, engine string) *reportBenchSet {
	b.Helper()
	ctx := context.Background()
	n := storetest.BenchDeals(b)
	db, where, seeded := storetest.OpenBench(b, engine, "reports", n)
	set := &reportBenchSet{db: db}
	svc := crm.NewService(db)
	svc.Now = func() time.Time { return benchNow }
	set.svc = svc
	if seeded {
		// A kept database seeded by an earlier run: the same users.
		for _, u := range []struct {
			name  string
			actor *crm.Actor
		}{{"admin", &set.admin}, {"u0-0", &set.manager}, {"u0-1", &set.rep}} {
			user, err := db.UserByUsername(ctx, u.name)
			if err != nil {
				b.Fatalf("kept database: user %s: %v", u.name, err)
			}
			*u.actor = crm.ActorOf(user)
		}
		return set
	}
	admin := &crm.User{Version: 1, Username: "admin", Role: crm.RoleAdmin, Language: "zh-CN", PasswordHash: "x", CreatedAt: benchNow, UpdatedAt: benchNow}
	if err := db.CreateUser(ctx, admin); err != nil {
		b.Fatal(err)
	}
	set.admin = crm.ActorOf(admin)
	var members []int64
	for t := range benchTeams {
		team := &crm.Team{Version: 1, Name: fmt.Sprintf("team-%d", t), CreatedAt: benchNow, UpdatedAt: benchNow}
		if err := db.CreateTeam(ctx, team); err != nil {
			b.Fatal(err)
		}
		for m := range benchPerTeam {
			role := crm.RoleRep
			if m == 0 {
				role = crm.RoleManager
			}
			u := &crm.User{Version: 1, Username: fmt.Sprintf("u%d-%d", t, m), Role: role, TeamID: &team.ID, Language: "zh-CN",
				PasswordHash: "x", CreatedAt: benchNow, UpdatedAt: benchNow}
			if err := db.CreateUser(ctx, u); err != nil {
				b.Fatal(err)
			}
			members = append(members, u.ID)
			switch {
			case t == 0 && m == 0:
				set.manager = crm.ActorOf(u)
			case t == 0 && m == 1:
				set.rep = crm.ActorOf(u)
			}
		}
	}
	storetest.SeedReportData(b, where, engine, members, n)
	return set
}

// BenchmarkReports computes each report per engine and per actor.
func BenchmarkReports(b *testing.B) {
	for _, engine := range storetest.Engines() {
		b.Run(engine, func(b *testing.B) {
			set := seedReportBench(b, engine)
			ctx := context.Background()
			reports := []struct {
				name string
				run  func(a crm.Actor) error
			}{
				{"pipeline", func(a crm.Actor) error { _, err := set.svc.ReportPipeline(ctx, a, crm.ReportQuery{}); return err }},
				{"pipeline_as_of", func(a crm.Actor) error {
					_, err := set.svc.ReportPipeline(ctx, a, crm.ReportQuery{AsOf: "2026-06-30"})
					return err
				}},
				// The forecast as a manager reloading it sees it: its
				// calibration counts kept (CalibrationTTL) after the first.
				{"forecast", func(a crm.Actor) error { _, err := set.svc.ReportForecast(ctx, a, crm.ReportQuery{}); return err }},
				// What the first forecast of the hour adds: reading the
				// history of every finished deal in scope.
				{"calibration", func(a crm.Actor) error {
					f := crm.ReportFilter{Scope: a.Scope(), Stages: []string{"prospecting", "compelling_event", "qualification", "demo", "negotiation", "commit"},
						WonStages: []string{"implementation", "closed"}, LostStage: crm.StageLost}
					_, _, err := set.db.StageWins(ctx, f)
					return err
				}},
				{"funnel", func(a crm.Actor) error {
					_, err := set.svc.ReportFunnel(ctx, a, crm.ReportQuery{From: "2026-08-01", To: "2026-10-31"})
					return err
				}},
				{"win_loss", func(a crm.Actor) error {
					_, err := set.svc.ReportWinLoss(ctx, a, crm.ReportQuery{From: "2026-08-01", To: "2026-10-31"})
					return err
				}},
				{"receivables", func(a crm.Actor) error { _, err := set.svc.ReportReceivables(ctx, a, crm.ReportQuery{}); return err }},
				{"activity", func(a crm.Actor) error {
					_, err := set.svc.ReportActivity(ctx, a, crm.ReportQuery{From: "2026-08-01", To: "2026-10-31"})
					return err
				}},
			}
			actors := []struct {
				name  string
				actor crm.Actor
			}{{"admin", set.admin}, {"manager", set.manager}, {"rep", set.rep}}
			for _, r := range reports {
				for _, a := range actors {
					b.Run(r.name+"/"+a.name, func(b *testing.B) {
						// One run before timing: it fills the page cache and,
						// for the forecast, the calibration counts, whose
						// cost "calibration" measures on its own.
						if err := r.run(a.actor); err != nil {
							b.Fatal(err)
						}
						b.ReportAllocs()
						for b.Loop() {
							if err := r.run(a.actor); err != nil {
								b.Fatal(err)
							}
						}
					})
				}
			}
		})
	}
}
