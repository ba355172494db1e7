package web_test

// Benchmarks of the foundation's acceptance through the real HTTP handler
// (docs/benchmarks.md): POST /api/v1/deals and one page of GET /api/v1/deals
// out of 100,000 deals, per engine. Requests go straight to Handler() with
// an httptest.ResponseRecorder, so the figures hold routing, middleware,
// authentication, JSON and the service and store, but no network.

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/store"
	"github.com/dealpath/dealpath/internal/store/storetest"
	"github.com/dealpath/dealpath/internal/web"
)

// The size of the benchmark data set, as in internal/store's benchmarks.
const (
	benchDeals    = 100_000
	benchAccounts = 2_000
	benchTeams    = 4
	benchPerTeam  = 5 // one manager and four reps
	benchBatch    = 1_000
)

// benchServer is a handler over a seeded database, and the tokens of the
// people who call it.
type benchServer struct {
	h          http.Handler
	adminToken string
	repToken   string
	repAccount int64
}

// newBenchServer opens a fresh database of the engine, seeds it (4 teams
// of a manager and four reps, an admin, 2,000 accounts of the team
// members, 100,000 deals over every stage) and signs in the admin and one
// rep. Users go through the service, so that they can sign in; accounts
// and deals go in with batched multi-row INSERTs in one transaction.
func newBenchServer(b *testing.B, engine string) *benchServer {
	b.Helper()
	ctx := context.Background()
	db, where := storetest.MustOpenURL(b, engine)
	clock := &testClock{now: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	svc := newService(db, clock)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	bs := &benchServer{h: web.New(svc, log).Handler()}

	newUser := func(name, role string, team *int64) *crm.User {
		u, err := svc.CreateUser(ctx, crm.SystemActor, crm.UserInput{Username: name, Password: testPassword, Role: role, TeamID: team})
		if err != nil {
			b.Fatalf("create user %s: %v", name, err)
		}
		return u
	}
	newUser("admin", crm.RoleAdmin, nil)
	var members []int64
	var repID int64
	for t := range benchTeams {
		team, err := svc.CreateTeam(ctx, crm.SystemActor, crm.TeamInput{Name: fmt.Sprintf("team-%d", t)})
		if err != nil {
			b.Fatalf("create team: %v", err)
		}
		for m := range benchPerTeam {
			role := crm.RoleRep
			if m == 0 {
				role = crm.RoleManager
			}
			u := newUser(fmt.Sprintf("u%d-%d", t, m), role, &team.ID)
			members = append(members, u.ID)
			if t == 0 && m == 1 {
				repID = u.ID
			}
		}
	}

	raw := benchRaw(b, engine, where)
	defer raw.Close()
	tx, err := raw.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	accounts, err := benchAccountsSQL(ctx, tx, members)
	if err != nil {
		b.Fatalf("seed accounts: %v", err)
	}
	if err := benchDealsSQL(ctx, tx, accounts); err != nil {
		b.Fatalf("seed deals: %v", err)
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	for _, a := range accounts {
		if a.owner == repID {
			bs.repAccount = a.id
			break
		}
	}
	// As autovacuum would soon after a load; SQLite gets no ANALYZE, as in
	// production.
	if engine == store.Postgres {
		for _, table := range []string{"users", "accounts", "deals"} {
			if _, err := raw.ExecContext(ctx, "VACUUM ANALYZE "+table); err != nil {
				b.Fatalf("vacuum %s: %v", table, err)
			}
		}
	}

	login := func(name string) string {
		token, _, err := svc.Login(ctx, name, testPassword, crm.SessionAPI)
		if err != nil {
			b.Fatalf("login %s: %v", name, err)
		}
		return token
	}
	bs.adminToken, bs.repToken = login("admin"), login("u0-1")
	return bs
}

// benchRaw opens a plain connection to the database MustOpenURL made.
func benchRaw(b *testing.B, engine, where string) *sql.DB {
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
	benchSeedNow  = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
)

const benchTimeLayout = "2006-01-02T15:04:05.000000Z"

// benchText quotes an SQL string literal; the seed writes literals so that
// a statement carries a thousand rows without meeting a parameter limit.
func benchText(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// benchInsert runs INSERT head VALUES rows..., benchBatch rows at a time.
func benchInsert(ctx context.Context, tx *sql.Tx, head string, n int, row func(i int, sb *strings.Builder)) error {
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

func benchAccountsSQL(ctx context.Context, tx *sql.Tx, owners []int64) ([]benchAccount, error) {
	created := benchText(benchSeedNow.AddDate(-2, 0, 0).Format(benchTimeLayout))
	err := benchInsert(ctx, tx, "INSERT INTO accounts (version, name, owner_id, created_at, updated_at)", benchAccounts,
		func(i int, sb *strings.Builder) {
			name := fmt.Sprintf("%s示例%04d有限公司", benchCities[i%len(benchCities)], i)
			fmt.Fprintf(sb, "1,%s,%d,%s,%s", benchText(name), owners[i%len(owners)], created, created)
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

// benchDealsSQL writes 50 deals per account, owned by the account's owner,
// from a fixed random sequence: every stage, amounts from ¥10,000 to
// ¥5,010,000, close dates over three years and one in ten unset.
func benchDealsSQL(ctx context.Context, tx *sql.Tx, accounts []benchAccount) error {
	rng := rand.New(rand.NewPCG(2026, 11))
	firstClose := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	firstCreated := benchSeedNow.AddDate(-2, 0, 0)
	probability := map[string]int{"prospecting": 5, "compelling_event": 10, "qualification": 20, "demo": 35,
		"negotiation": 60, "commit": 80, "implementation": 100, "closed": 100, "lost": 0}
	return benchInsert(ctx, tx, `INSERT INTO deals (version, account_id, owner_id, title, stage, amount, expected_close_date,
		probability, next_step, lost_reason, stage_changed_at, created_at, updated_at)`, benchDeals,
		func(i int, sb *strings.Builder) {
			a := accounts[i%len(accounts)]
			stage := crm.Stages[rng.IntN(len(crm.Stages))]
			title := fmt.Sprintf("%s%s项目 %06d", a.city, benchProducts[rng.IntN(len(benchProducts))], i)
			amount := (10_000 + rng.Int64N(5_000_000)) * 100
			closeDate := "NULL"
			if rng.IntN(10) != 0 {
				closeDate = benchText(firstClose.AddDate(0, 0, rng.IntN(3*365)).Format(crm.DateLayout))
			}
			lostReason := ""
			if stage == crm.StageLost {
				lostReason = "预算取消"
			}
			created := firstCreated.Add(time.Duration(rng.Int64N(int64(700 * 24 * time.Hour))))
			updated := created.Add(time.Duration(rng.Int64N(int64(30 * 24 * time.Hour))))
			fmt.Fprintf(sb, "1,%d,%d,%s,%s,%d,%s,%d,%s,%s,%s,%s,%s", a.id, a.owner, benchText(title), benchText(stage), amount,
				closeDate, probability[stage], benchText("电话跟进"), benchText(lostReason),
				benchText(updated.Format(benchTimeLayout)), benchText(created.Format(benchTimeLayout)), benchText(updated.Format(benchTimeLayout)))
		})
}

// serve sends one request to the handler and fails the benchmark unless
// the answer has the wanted status.
func (bs *benchServer) serve(b *testing.B, method, target, token string, body []byte, want int) *httptest.ResponseRecorder {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req := httptest.NewRequest(method, target, rd)
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	bs.h.ServeHTTP(rec, req)
	if rec.Code != want {
		b.Fatalf("%s %s: status %d, want %d: %s", method, target, rec.Code, want, rec.Body)
	}
	return rec
}

// BenchmarkAPICreateDeal is POST /api/v1/deals by a rep on one of their
// accounts, into a table of 100,000 deals.
func BenchmarkAPICreateDeal(b *testing.B) {
	for _, engine := range storetest.Engines() {
		bs := newBenchServer(b, engine)
		b.Run(engine, func(b *testing.B) {
			body := fmt.Appendf(nil, `{"account_id":%d,"title":"苏州进销存项目 追加","amount":12800000,"expected_close_date":"2027-03-31","probability":5,"next_step":"约演示"}`, bs.repAccount)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				bs.serve(b, "POST", "/api/v1/deals", bs.repToken, body, http.StatusCreated)
			}
		})
	}
}

// BenchmarkAPIListDeals is GET /api/v1/deals?limit=50&sort=expected_close_date
// by an admin, who sees all 100,000 deals.
func BenchmarkAPIListDeals(b *testing.B) {
	for _, engine := range storetest.Engines() {
		bs := newBenchServer(b, engine)
		b.Run(engine, func(b *testing.B) {
			const target = "/api/v1/deals?limit=50&sort=expected_close_date"
			rec := bs.serve(b, "GET", target, bs.adminToken, nil, http.StatusOK)
			if n := bytes.Count(rec.Body.Bytes(), []byte(`"stage_changed_at"`)); n != 50 {
				b.Fatalf("page has %d deals, want 50", n)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				bs.serve(b, "GET", target, bs.adminToken, nil, http.StatusOK)
			}
		})
	}
}
