package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/store"
	"github.com/dealpath/dealpath/internal/store/storetest"
	"github.com/dealpath/dealpath/internal/web"
	"golang.org/x/crypto/bcrypt"
)

// env is a running server on a real database, driven over HTTP.
type env struct {
	t   *testing.T
	db  *store.DB
	svc *crm.Service
	srv *httptest.Server
	// dbURL reaches the same database again (PostgreSQL URL or SQLite path).
	dbURL string
	clock *testClock
}

// testClock is the injected clock: tests move time by hand.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// eachEngine runs fn against a fresh server per engine.
func eachEngine(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Helper()
	for _, engine := range storetest.Engines() {
		t.Run(engine, func(t *testing.T) {
			fn(t, newEnv(t, engine))
		})
	}
}

func newService(db *store.DB, clock *testClock) *crm.Service {
	svc := crm.NewService(db)
	svc.Now = clock.Now
	svc.PasswordCost = bcrypt.MinCost
	return svc
}

func newEnv(t *testing.T, engine string) *env {
	t.Helper()
	db, url := storetest.MustOpenURL(t, engine)
	clock := &testClock{now: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	svc := newService(db, clock)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httptest.NewServer(web.New(svc, log).Handler())
	t.Cleanup(srv.Close)
	return &env{t: t, db: db, svc: svc, srv: srv, dbURL: url, clock: clock}
}

const testPassword = "correct-horse-1"

// user creates a user with the test password.
func (e *env) user(name, role string, teamID *int64) *crm.User {
	e.t.Helper()
	u, err := e.svc.CreateUser(context.Background(), crm.SystemActor, crm.UserInput{Username: name, Password: testPassword, Role: role, TeamID: teamID})
	if err != nil {
		e.t.Fatalf("create user %s: %v", name, err)
	}
	return u
}

func (e *env) team(name string) *crm.Team {
	e.t.Helper()
	tm, err := e.svc.CreateTeam(context.Background(), crm.SystemActor, crm.TeamInput{Name: name})
	if err != nil {
		e.t.Fatalf("create team: %v", err)
	}
	return tm
}

// client is an API client signed in as one user.
type client struct {
	e     *env
	token string
	lang  string
}

// anon is a client without a token.
func (e *env) anon() *client { return &client{e: e} }

// login signs in through the API.
func (e *env) login(username string) *client {
	e.t.Helper()
	c := e.anon()
	var out struct {
		Token string `json:"token"`
	}
	c.do("POST", "/api/v1/auth/login", map[string]string{"username": username, "password": testPassword}).ok(200, &out)
	if out.Token == "" {
		e.t.Fatal("login returned no token")
	}
	c.token = out.Token
	return c
}

// resp is an answer, with helpers that fail the test on surprises.
type resp struct {
	t      *testing.T
	req    *http.Request
	Status int
	Header http.Header
	Body   []byte
}

// do sends a request; body is JSON-encoded unless it is a string or []byte,
// which are sent raw (for malformed-input tests).
func (c *client) do(method, path string, body any) *resp {
	c.e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			c.e.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, c.e.srv.URL+path, rd)
	if err != nil {
		c.e.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if c.lang != "" {
		req.Header.Set("Accept-Language", c.lang)
	}
	res, err := c.e.srv.Client().Do(req)
	if err != nil {
		c.e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		c.e.t.Fatal(err)
	}
	r := &resp{t: c.e.t, req: req, Status: res.StatusCode, Header: res.Header, Body: data}
	checkResponse(c.e.t, req, res, data)
	return r
}

// ok asserts the status and decodes the body into v (if not nil).
func (r *resp) ok(status int, v any) *resp {
	r.t.Helper()
	if r.Status != status {
		r.t.Fatalf("%s %s: status %d, want %d; body %s", r.req.Method, r.req.URL.Path, r.Status, status, r.Body)
	}
	if v != nil {
		if err := json.Unmarshal(r.Body, v); err != nil {
			r.t.Fatalf("%s %s: decode %s: %v", r.req.Method, r.req.URL.Path, r.Body, err)
		}
	}
	return r
}

// apiError is the decoded error envelope.
type apiError struct {
	Error struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields"`
	} `json:"error"`
}

// fail asserts an error answer with status and code and returns it.
func (r *resp) fail(status int, code string) apiError {
	r.t.Helper()
	var e apiError
	r.ok(status, &e)
	if e.Error.Code != code || e.Error.Message == "" {
		r.t.Fatalf("%s %s: error %+v, want code %s", r.req.Method, r.req.URL.Path, e.Error, code)
	}
	return e
}

// failField asserts a 400 invalid answer that names field.
func (r *resp) failField(field string) apiError {
	r.t.Helper()
	e := r.fail(400, "invalid")
	if e.Error.Fields[field] == "" {
		r.t.Fatalf("%s %s: fields %v, want an error on %q", r.req.Method, r.req.URL.Path, e.Error.Fields, field)
	}
	return e
}
