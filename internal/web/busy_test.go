package web_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/i18n"
	"github.com/dealpath/dealpath/internal/store"
	"github.com/dealpath/dealpath/internal/store/storetest"
	"github.com/dealpath/dealpath/internal/web"
)

// syncBuffer is a log sink that handlers of several requests write at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// busyServer is a second server on e's database whose lock waits end
// quickly on PostgreSQL (lock_timeout 300 ms); on SQLite it waits the
// usual busy_timeout. It returns an env that drives it, the server for its
// counts, and its log.
func busyServer(t *testing.T, e *env) (*env, *web.Server, *syncBuffer) {
	t.Helper()
	ctx := context.Background()
	var db *store.DB
	var err error
	if e.db.Engine() == store.Postgres {
		db, err = store.Open(ctx, "", e.dbURL+"&lock_timeout=300")
	} else {
		db, err = store.OpenSQLite(ctx, e.dbURL)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	logs := &syncBuffer{}
	srv := web.New(newService(db, e.clock), slog.New(slog.NewTextHandler(logs, nil)))
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	busy := *e
	busy.t, busy.db, busy.srv = t, db, hs
	return &busy, srv, logs
}

// lockAccounts keeps every writer of accounts waiting until the returned
// function is called: a table lock on PostgreSQL, the write lock of the
// whole database on SQLite, each held by a connection of its own, as
// another instance or a long transaction would.
func lockAccounts(t *testing.T, e *env) (release func()) {
	t.Helper()
	ctx := context.Background()
	driver, dsn := "pgx", e.dbURL
	if e.db.Engine() == store.SQLite {
		driver, dsn = "sqlite", "file:"+e.dbURL
	}
	raw, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := raw.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	lock := "LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE"
	if e.db.Engine() == store.SQLite {
		lock = "INSERT INTO settings (key, value) VALUES ('busy_test', '1')"
	}
	if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, lock); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
				t.Error(err)
			}
			conn.Close()
			raw.Close()
		})
	}
	t.Cleanup(release)
	return release
}

// TestBusyDatabaseAnswers503 holds a lock that a write needs past the
// engine's wait (PostgreSQL lock_timeout, SQLite busy_timeout): the API
// answers 503 "unavailable" with Retry-After and a message in the reader's
// language, the page shows "busy, try again" instead of a 500, neither is
// logged or counted as a server error, and the same request succeeds once
// the lock is gone.
//
// The answer does not depend on the engine (TestClassifyBusyErrors in the
// store covers each engine's errors), so it runs on PostgreSQL, whose lock
// wait can be short, when the tests have it: SQLite's costs 10 s a request.
func TestBusyDatabaseAnswers503(t *testing.T) {
	engines := storetest.Engines()
	engine := engines[len(engines)-1]
	t.Run(engine, func(t *testing.T) {
		e := newEnv(t, engine)
		e.user("rep1", crm.RoleRep, nil)
		busy, srv, logs := busyServer(t, e)
		c := busy.login("rep1")
		b := busy.browser()
		b.signIn("rep1", testPassword)
		csrf := csrfOf(t, b.get("/accounts/new"))

		release := lockAccounts(t, e)
		post := func(lang string) (*http.Response, []byte) {
			req, err := http.NewRequest("POST", busy.srv.URL+"/api/v1/accounts", strings.NewReader(`{"name":"繁忙测试有限公司"}`))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+c.token)
			req.Header.Set("Accept-Language", lang)
			res, err := busy.srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			body, err := io.ReadAll(res.Body)
			if err != nil {
				t.Fatal(err)
			}
			return res, body
		}
		res, body := post("en")
		var got apiError
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatalf("decode %s: %v", body, err)
		}
		if res.StatusCode != http.StatusServiceUnavailable || got.Error.Code != crm.EUNAVAILABLE ||
			got.Error.Message != i18n.T(i18n.EN, "error.unavailable") {
			t.Fatalf("status %d body %s, want 503 unavailable", res.StatusCode, body)
		}
		if ra := res.Header.Get("Retry-After"); ra == "" || ra == "0" {
			t.Errorf("Retry-After %q, want a number of seconds", ra)
		}

		b.lang = "zh-CN"
		p := b.post("/accounts", url.Values{"csrf_token": {csrf}, "name": {"繁忙测试有限公司"}})
		if p.Status != http.StatusServiceUnavailable || !strings.Contains(p.Body, i18n.T(i18n.ZH, "ui.error.503.text")) ||
			p.Header.Get("Retry-After") == "" {
			t.Errorf("page: status %d Retry-After %q, want 503 saying busy:\n%s", p.Status, p.Header.Get("Retry-After"), p.Body)
		}

		if n := srv.Counts(); n.Unavailable != 2 || n.ServerErrors != 0 {
			t.Errorf("counts %+v, want 2 unavailable and no server error", n)
		}
		if l := logs.String(); strings.Contains(l, "level=ERROR") || !strings.Contains(l, "database busy") {
			t.Errorf("log, want a warning and no error:\n%s", l)
		}

		release()
		if res, body := post("zh-CN"); res.StatusCode != http.StatusCreated {
			t.Errorf("after the lock: status %d %s, want 201", res.StatusCode, body)
		}
	})
}
