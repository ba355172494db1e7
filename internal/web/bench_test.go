package web_test

// Benchmarks of the foundation's acceptance through the real HTTP handler
// (docs/benchmarks.md): POST /api/v1/deals and one page of GET /api/v1/deals
// out of 100,000 deals, per engine. Requests go straight to Handler() with
// an httptest.ResponseRecorder, so the figures hold routing, middleware,
// authentication, JSON and the service and store, but no network.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/store/storetest"
	"github.com/dealpath/dealpath/internal/web"
)

// The size of the benchmark data set, as in internal/store's benchmarks.
const (
	benchTeams   = 4
	benchPerTeam = 5 // one manager and four reps
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
	clock := &testClock{now: storetest.SeedNow}
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

	for _, a := range storetest.SeedDeals(b, where, engine, members) {
		if a.OwnerID == repID {
			bs.repAccount = a.ID
			break
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
