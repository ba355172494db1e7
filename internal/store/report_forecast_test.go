package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/store"
	"github.com/dealpath/dealpath/internal/store/storetest"
)

// forecastDeal is a deal of TestForecastCellsMatchTheDeals as the test
// knows it.
type forecastDeal struct {
	id, owner int64
	stage     string
	amount    int64
	close     string // YYYY-MM-DD, "" for none
	deleted   bool
	removed   bool
}

// forecastKey is a forecast cell without its figures.
type forecastKey struct {
	month   string
	owner   int64
	stage   string
	slipped bool
}

// openRaw opens a connection of the test's own to a store's database, for
// writes by hand that go past the store (and so only through triggers).
func openRaw(t *testing.T, engine, where string) *sql.DB {
	t.Helper()
	var raw *sql.DB
	var err error
	if engine == store.Postgres {
		raw, err = sql.Open("pgx", where)
	} else {
		raw, err = sql.Open("sqlite", "file:"+where+"?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)")
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

// TestForecastCellsMatchTheDeals checks that the forecast's cells, read
// from whole months of report_forecast_months and the remaining days of
// report_forecast_totals (migrations 0012 and 0010), are exactly the live
// deals grouped by close month, owner, stage and slipped-or-not, for
// ranges starting and ending inside or on the edge of a month and today
// inside, on the edge of or outside the range, for every kind of scope;
// and again after writes by hand that move deals across months, change
// their owner, stage and amount, and delete them.
func TestForecastCellsMatchTheDeals(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			db, where := storetest.MustOpenURL(t, engine)
			team := &crm.Team{Version: 1, Name: "东区", CreatedAt: t0, UpdatedAt: t0}
			if err := db.CreateTeam(ctx, team); err != nil {
				t.Fatal(err)
			}
			mgr := mustUser(t, db, "m1", crm.RoleManager, &team.ID)
			r1 := mustUser(t, db, "r1", crm.RoleRep, &team.ID)
			r2 := mustUser(t, db, "r2", crm.RoleRep, nil)
			owners := []int64{mgr.ID, r1.ID, r2.ID}
			acc := mustAccount(t, db, "甲公司", r1.ID)
			stages := []string{"prospecting", "demo", "commit", "implementation", "lost"}
			rng := rand.New(rand.NewPCG(6, 12))
			first := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
			randDate := func() string {
				if rng.IntN(10) == 0 {
					return ""
				}
				return first.AddDate(0, 0, rng.IntN(365)).Format(crm.DateLayout)
			}
			sqlDate := func(d string) string {
				if d == "" {
					return "NULL"
				}
				return "'" + d + "'"
			}
			raw := openRaw(t, engine, where)
			exec := func(stmts ...string) {
				t.Helper()
				for _, st := range stmts {
					if _, err := raw.ExecContext(ctx, st); err != nil {
						t.Fatalf("%s: %v", st, err)
					}
				}
			}
			var deals []*forecastDeal
			var stmts []string
			for i := range 600 {
				d := &forecastDeal{id: int64(i + 1), owner: owners[rng.IntN(3)], stage: stages[rng.IntN(len(stages))],
					amount: int64(rng.IntN(1000)) * 1000, close: randDate(), deleted: rng.IntN(20) == 0}
				deals = append(deals, d)
				deleted := "NULL"
				if d.deleted {
					deleted = "'2026-10-01T00:00:00.000000Z'"
				}
				stmts = append(stmts, fmt.Sprintf(`INSERT INTO deals (id, account_id, owner_id, title, stage, amount, expected_close_date, probability,
					stage_changed_at, created_at, updated_at, deleted_at) VALUES (%d, %d, %d, '商机', '%s', %d, %s, 0,
					'2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z', %s)`,
					d.id, acc.ID, d.owner, d.stage, d.amount, sqlDate(d.close), deleted))
			}
			exec(stmts...)

			date := func(s string) crm.Date {
				d, err := crm.ParseDate(s)
				if err != nil {
					t.Fatal(err)
				}
				return d
			}
			ranges := []struct{ from, to, today string }{
				{"2026-11-01", "2027-04-30", "2026-11-15"}, // the default: six whole months from today's
				{"2026-10-10", "2027-01-20", "2026-12-01"}, // partial first and last month
				{"2026-10-10", "2027-01-20", "2026-10-20"}, // today in the partial first month
				{"2026-10-10", "2027-01-20", "2027-01-20"}, // today the last day of the range
				{"2026-08-01", "2027-03-31", "2026-05-05"}, // today before the range
				{"2026-08-01", "2027-03-31", "2027-06-30"}, // today after it
				{"2026-11-15", "2026-11-15", "2026-11-15"}, // one day
				{"2026-11-03", "2026-11-20", "2026-12-01"}, // inside one month
				{"2026-07-01", "2027-06-30", "2026-12-31"}, // a year, today a month's last day
				{"2026-12-01", "2026-12-31", "2026-12-01"}, // only today's month
				{"2026-09-01", "2026-11-30", "2026-12-01"}, // all before today's month
			}
			scopes := []struct {
				name string
				f    crm.ReportFilter
			}{
				{"admin", crm.ReportFilter{Scope: crm.Scope{All: true}}},
				{"rep", crm.ReportFilter{Scope: crm.Scope{OwnerID: r1.ID}}},
				{"manager", crm.ReportFilter{Scope: crm.Scope{TeamID: team.ID, OwnerID: mgr.ID}}},
				{"owner filter", crm.ReportFilter{Scope: crm.Scope{All: true}, OwnerID: &r2.ID}},
				{"team filter", crm.ReportFilter{Scope: crm.Scope{All: true}, TeamID: &team.ID}},
			}
			inScope := func(name string, owner int64) bool {
				switch name {
				case "rep":
					return owner == r1.ID
				case "manager", "team filter":
					return owner == r1.ID || owner == mgr.ID
				case "owner filter":
					return owner == r2.ID
				}
				return true
			}
			check := func(what string) {
				t.Helper()
				for _, r := range ranges {
					for _, s := range scopes {
						f := s.f
						f.From, f.To, f.Today = date(r.from), date(r.to), date(r.today)
						want := map[forecastKey][2]int64{}
						for _, d := range deals {
							if d.deleted || d.close == "" || d.close < r.from || d.close > r.to || !inScope(s.name, d.owner) {
								continue
							}
							k := forecastKey{d.close[:7], d.owner, d.stage, d.close < r.today}
							v := want[k]
							want[k] = [2]int64{v[0] + 1, v[1] + d.amount}
						}
						cells, err := db.ForecastCells(ctx, f)
						if err != nil {
							t.Fatal(err)
						}
						got := map[forecastKey][2]int64{}
						for _, c := range cells {
							k := forecastKey{c.Month, c.OwnerID, c.Stage, c.Slipped}
							if _, dup := got[k]; dup {
								t.Errorf("%s, %v, %s: cell %+v twice", what, r, s.name, k)
							}
							got[k] = [2]int64{c.Count, c.Amount}
						}
						if !reflect.DeepEqual(got, want) {
							t.Errorf("%s, %v, %s:\n got %v\nwant %v", what, r, s.name, sortedCells(got), sortedCells(want))
						}
					}
				}
			}
			check("seeded")

			// By hand: close dates moved (across months, and within one),
			// cleared and set; owners, stages and amounts changed; deals
			// deleted softly, restored and removed for good.
			stmts = nil
			for _, d := range deals {
				if d.removed {
					continue
				}
				var set string
				switch rng.IntN(12) {
				case 0, 1:
					d.close = randDate()
					set = "expected_close_date = " + sqlDate(d.close)
				case 2:
					d.owner = owners[rng.IntN(3)]
					set = fmt.Sprintf("owner_id = %d", d.owner)
				case 3:
					d.stage = stages[rng.IntN(len(stages))]
					d.amount += 500
					set = fmt.Sprintf("stage = '%s', amount = %d", d.stage, d.amount)
				case 4:
					d.deleted = !d.deleted
					set = "deleted_at = NULL"
					if d.deleted {
						set = "deleted_at = '2026-11-01T00:00:00.000000Z'"
					}
				case 5:
					d.removed = true
					d.deleted = true
					stmts = append(stmts, fmt.Sprintf("DELETE FROM deals WHERE id = %d", d.id))
					continue
				default:
					continue
				}
				stmts = append(stmts, fmt.Sprintf("UPDATE deals SET %s WHERE id = %d", set, d.id))
			}
			// One statement moving many deals at once.
			stmts = append(stmts, `UPDATE deals SET expected_close_date = '2027-02-14' WHERE id % 17 = 0`)
			for _, d := range deals {
				if d.id%17 == 0 && !d.removed {
					d.close = "2027-02-14"
				}
			}
			exec(stmts...)
			check("after writes by hand")

			// The month rows are what the forecast reads for whole months
			// other than today's: a month row changed by hand shows in a
			// range where February 2027 is whole and not today's month, and
			// not where today is in it (its day rows are read then).
			exec(`UPDATE report_forecast_months SET deals = deals + 1000 WHERE month = '2027-02'`)
			count := func(today string) int64 {
				t.Helper()
				cells, err := db.ForecastCells(ctx, crm.ReportFilter{Scope: crm.Scope{All: true},
					From: date("2026-11-01"), To: date("2027-04-30"), Today: date(today)})
				if err != nil {
					t.Fatal(err)
				}
				var n int64
				for _, c := range cells {
					if c.Month == "2027-02" {
						n += c.Count
					}
				}
				return n
			}
			if whole, today := count("2026-11-15"), count("2027-02-10"); whole-today < 1000 {
				t.Errorf("February 2027: %d deals read as a whole month, %d as today's: the month rows are not read", whole, today)
			}
		})
	}
}

// sortedCells lists cells in a stable order for messages.
func sortedCells(m map[forecastKey][2]int64) []string {
	var out []string
	for k, v := range m {
		out = append(out, fmt.Sprintf("%s/%d/%s/%v=%d,%d", k.month, k.owner, k.stage, k.slipped, v[0], v[1]))
	}
	sort.Strings(out)
	return out
}
