package store_test

// Benchmarks of the foundation's acceptance (docs/benchmarks.md): create a
// deal, and list 50 deals out of 100,000, on every engine of the run. The
// data set is seeded only inside the Benchmark functions, so `go test ./...`
// never pays for it.

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/store"
	"github.com/dealpath/dealpath/internal/store/storetest"
)

// The size of the benchmark data set.
const (
	benchDeals    = 100_000
	benchAccounts = 2_000
	benchTeams    = 4
	benchPerTeam  = 5 // one manager and four reps
	benchBatch    = 1_000
	benchPage     = 50
)

var benchNow = time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)

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

	raw := openRaw(b, engine, where)
	defer raw.Close()
	tx, err := raw.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	accounts, err := benchInsertAccounts(ctx, tx, members)
	if err != nil {
		b.Fatalf("seed accounts: %v", err)
	}
	if err := benchInsertDeals(ctx, tx, accounts); err != nil {
		b.Fatalf("seed deals: %v", err)
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	for _, a := range accounts {
		if a.owner == set.repID {
			set.repAccount = a.id
			break
		}
	}
	// PostgreSQL's autovacuum would analyze and vacuum the new rows soon
	// after the load; do it now so that plans and visibility do not depend
	// on when it happens to run. SQLite gets no ANALYZE: dealpath never runs
	// one, so its planner works without statistics in production too.
	if engine == store.Postgres {
		for _, table := range []string{"users", "accounts", "deals"} {
			if _, err := raw.ExecContext(ctx, "VACUUM ANALYZE "+table); err != nil {
				b.Fatalf("vacuum %s: %v", table, err)
			}
		}
	}
	return set
}

// openRaw opens a second, plain connection to the database MustOpenURL
// made, for the seeding SQL the store does not offer.
func openRaw(b *testing.B, engine, where string) *sql.DB {
	b.Helper()
	var raw *sql.DB
	var err error
	if engine == store.Postgres {
		raw, err = sql.Open("pgx", where)
	} else {
		raw, err = sql.Open("sqlite", "file:"+where+"?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)")
	}
	if err != nil {
		b.Fatal(err)
	}
	return raw
}

type benchAccount struct {
	id, owner int64
	city      string
}

var (
	benchCities   = []string{"北京", "上海", "广州", "深圳", "苏州", "杭州", "宁波", "东莞", "佛山", "青岛", "成都", "武汉"}
	benchProducts = []string{"ERP 升级", "进销存", "财务一体化", "CRM 实施", "WMS 仓储", "MES 试点", "报表平台", "移动审批"}
	benchLayout   = "2006-01-02T15:04:05.000000Z"
)

// sqlText quotes a string as an SQL literal. The seed writes literals, not
// parameters, so that one statement carries a thousand rows on either
// engine without meeting a parameter limit.
func sqlText(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// execBatches runs INSERT head VALUES rows..., benchBatch rows at a time.
func execBatches(ctx context.Context, tx *sql.Tx, head string, n int, row func(i int, sb *strings.Builder)) error {
	var sb strings.Builder
	for start := 0; start < n; start += benchBatch {
		sb.Reset()
		sb.WriteString(head)
		sb.WriteString(" VALUES ")
		for i := start; i < min(start+benchBatch, n); i++ {
			if i > start {
				sb.WriteByte(',')
			}
			sb.WriteByte('(')
			row(i, &sb)
			sb.WriteByte(')')
		}
		if _, err := tx.ExecContext(ctx, sb.String()); err != nil {
			return err
		}
	}
	return nil
}

func benchInsertAccounts(ctx context.Context, tx *sql.Tx, owners []int64) ([]benchAccount, error) {
	created := sqlText(benchNow.AddDate(-2, 0, 0).Format(benchLayout))
	err := execBatches(ctx, tx, "INSERT INTO accounts (version, name, owner_id, created_at, updated_at)", benchAccounts,
		func(i int, sb *strings.Builder) {
			name := fmt.Sprintf("%s示例%04d有限公司", benchCities[i%len(benchCities)], i)
			fmt.Fprintf(sb, "1,%s,%d,%s,%s", sqlText(name), owners[i%len(owners)], created, created)
		})
	if err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, "SELECT id, owner_id FROM accounts ORDER BY id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []benchAccount
	for rows.Next() {
		var a benchAccount
		if err := rows.Scan(&a.id, &a.owner); err != nil {
			return nil, err
		}
		a.city = benchCities[len(out)%len(benchCities)]
		out = append(out, a)
	}
	return out, rows.Err()
}

// benchInsertDeals writes the deals from a fixed random sequence, so that
// every run and every engine holds the same data.
func benchInsertDeals(ctx context.Context, tx *sql.Tx, accounts []benchAccount) error {
	rng := rand.New(rand.NewPCG(2026, 11))
	firstClose := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	firstCreated := benchNow.AddDate(-2, 0, 0)
	probability := map[string]int{"prospecting": 5, "compelling_event": 10, "qualification": 20, "demo": 35,
		"negotiation": 60, "commit": 80, "implementation": 100, "closed": 100, "lost": 0}
	return execBatches(ctx, tx, `INSERT INTO deals (version, account_id, owner_id, title, stage, amount, expected_close_date,
		probability, next_step, lost_reason, stage_changed_at, created_at, updated_at)`, benchDeals,
		func(i int, sb *strings.Builder) {
			a := accounts[i%len(accounts)]
			stage := crm.Stages[rng.IntN(len(crm.Stages))]
			title := fmt.Sprintf("%s%s项目 %06d", a.city, benchProducts[rng.IntN(len(benchProducts))], i)
			amount := (10_000 + rng.Int64N(5_000_000)) * 100 // ¥10,000 to ¥5,010,000, in fen
			closeDate := "NULL"
			if rng.IntN(10) != 0 {
				closeDate = sqlText(firstClose.AddDate(0, 0, rng.IntN(3*365)).Format(crm.DateLayout))
			}
			lostReason := ""
			if stage == crm.StageLost {
				lostReason = "预算取消"
			}
			created := firstCreated.Add(time.Duration(rng.Int64N(int64(700 * 24 * time.Hour))))
			updated := created.Add(time.Duration(rng.Int64N(int64(30 * 24 * time.Hour))))
			fmt.Fprintf(sb, "1,%d,%d,%s,%s,%d,%s,%d,%s,%s,%s,%s,%s", a.id, a.owner, sqlText(title), sqlText(stage), amount,
				closeDate, probability[stage], sqlText("电话跟进"), sqlText(lostReason),
				sqlText(updated.Format(benchLayout)), sqlText(created.Format(benchLayout)), sqlText(updated.Format(benchLayout)))
		})
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
