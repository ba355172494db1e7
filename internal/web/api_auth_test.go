package web_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/store"
	"github.com/dealpath/dealpath/internal/web"
	"io"
	"log/slog"
	"net/http/httptest"
)

func TestLoginLogoutMe(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.user("alice", crm.RoleRep, nil)
		e.anon().do("GET", "/api/v1/me", nil).fail(401, "unauthenticated")
		bad := e.anon().do("POST", "/api/v1/auth/login", map[string]string{"username": "alice", "password": "wrong-password"})
		bad.fail(401, "unauthenticated")
		unknown := e.anon().do("POST", "/api/v1/auth/login", map[string]string{"username": "nobody", "password": "wrong-password"})
		if string(unknown.Body) != string(bad.Body) {
			t.Errorf("unknown user and wrong password answer differently: %s vs %s", unknown.Body, bad.Body)
		}

		c := e.login("alice")
		var me crm.User
		c.do("GET", "/api/v1/me", nil).ok(200, &me)
		if me.Username != "alice" || me.Role != "rep" {
			t.Fatalf("me = %+v", me)
		}
		c.do("POST", "/api/v1/auth/logout", nil).ok(204, nil)
		c.do("GET", "/api/v1/me", nil).fail(401, "unauthenticated")

		// Tokens expire.
		c2 := e.login("alice")
		e.clock.Add(31 * 24 * time.Hour)
		c2.do("GET", "/api/v1/me", nil).fail(401, "unauthenticated")
	})
}

func TestDisabledUserLosesAccess(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.user("root", crm.RoleAdmin, nil)
		bob := e.user("bob", crm.RoleRep, nil)
		admin, c := e.login("root"), e.login("bob")
		admin.do("PATCH", fmt.Sprintf("/api/v1/users/%d", bob.ID), map[string]any{"version": bob.Version, "disabled": true}).ok(200, nil)
		c.do("GET", "/api/v1/me", nil).fail(401, "unauthenticated")
		e.anon().do("POST", "/api/v1/auth/login", map[string]string{"username": "bob", "password": testPassword}).fail(401, "unauthenticated")
	})
}

// Two servers on one database accept each other's tokens: sessions live in
// the database, not in a process.
func TestTwoInstancesShareSessions(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.user("alice", crm.RoleRep, nil)
		c := e.login("alice")
		var db2 *store.DB
		var err error
		if e.db.Engine() == store.Postgres {
			db2, err = store.Open(t.Context(), "", e.dbURL)
		} else {
			db2, err = store.OpenSQLite(t.Context(), e.dbURL)
		}
		if err != nil {
			t.Fatal(err)
		}
		defer db2.Close()
		srv2 := httptest.NewServer(web.New(newService(db2, e.clock), slog.New(slog.NewTextHandler(io.Discard, nil))).Handler())
		defer srv2.Close()
		req, _ := http.NewRequest("GET", srv2.URL+"/api/v1/me", nil)
		req.Header.Set("Authorization", "Bearer "+c.token)
		res, err := srv2.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Fatalf("second instance answered %d", res.StatusCode)
		}
	})
}

func TestUsersAndTeamsAreAdminOnly(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.user("root", crm.RoleAdmin, nil)
		e.user("rep", crm.RoleRep, nil)
		admin, rep := e.login("root"), e.login("rep")

		var team crm.Team
		admin.do("POST", "/api/v1/teams", map[string]string{"name": "华南销售"}).ok(201, &team)
		admin.do("POST", "/api/v1/teams", map[string]string{"name": "华南销售"}).fail(409, "conflict")
		rep.do("POST", "/api/v1/teams", map[string]string{"name": "x"}).fail(403, "forbidden")

		var mgr crm.User
		admin.do("POST", "/api/v1/users", map[string]any{"username": "mgr", "password": testPassword, "role": "manager", "team_id": team.ID}).ok(201, &mgr)
		if mgr.TeamID == nil || *mgr.TeamID != team.ID {
			t.Fatalf("manager team = %v", mgr.TeamID)
		}
		if _, ok := mapOf(t, admin.do("GET", fmt.Sprintf("/api/v1/users/%d", mgr.ID), nil).Body)["password_hash"]; ok {
			t.Fatal("password hash leaked")
		}
		rep.do("POST", "/api/v1/users", map[string]any{"username": "x", "password": testPassword}).fail(403, "forbidden")
		admin.do("POST", "/api/v1/users", map[string]any{"username": "mgr", "password": testPassword}).fail(409, "conflict")
		admin.do("POST", "/api/v1/users", map[string]any{"username": "a b", "password": "short", "role": "boss"}).failField("username")
		admin.do("POST", "/api/v1/users", map[string]any{"username": "ok1", "password": "short"}).failField("password")
		admin.do("POST", "/api/v1/users", map[string]any{"username": "ok2", "password": testPassword, "role": "boss"}).failField("role")
		admin.do("POST", "/api/v1/users", map[string]any{"username": "ok3", "password": testPassword, "team_id": 999}).failField("team_id")
		rep.do("PATCH", fmt.Sprintf("/api/v1/users/%d", mgr.ID), map[string]any{"version": 1, "role": "admin"}).fail(403, "forbidden")
		admin.do("PATCH", fmt.Sprintf("/api/v1/users/%d", mgr.ID), map[string]any{"version": 9, "role": "rep"}).fail(409, "conflict")

		// A team with members cannot be deleted; an empty one can.
		admin.do("DELETE", fmt.Sprintf("/api/v1/teams/%d", team.ID), nil).fail(409, "conflict")
		var empty crm.Team
		admin.do("POST", "/api/v1/teams", map[string]string{"name": "empty"}).ok(201, &empty)
		admin.do("DELETE", fmt.Sprintf("/api/v1/teams/%d", empty.ID), nil).ok(204, nil)
		admin.do("GET", fmt.Sprintf("/api/v1/teams/%d", empty.ID), nil).fail(404, "not_found")

		// An admin cannot lock themselves out.
		var me crm.User
		admin.do("GET", "/api/v1/me", nil).ok(200, &me)
		admin.do("PATCH", fmt.Sprintf("/api/v1/users/%d", me.ID), map[string]any{"version": me.Version, "disabled": true}).failField("role")
	})
}
