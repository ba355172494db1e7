package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dealpath/dealpath/internal/store"
	"github.com/dealpath/dealpath/internal/store/storetest"
)

// syncBuffer is a bytes.Buffer that the server goroutine and the test may
// use at once.
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

// dbArgs returns the flags that point a command at a fresh database of the
// engine.
func dbArgs(t *testing.T, engine string) []string {
	t.Helper()
	db, where := storetest.MustOpenURL(t, engine)
	db.Close()
	if engine == store.Postgres {
		return []string{"--database-url", where}
	}
	return []string{"--data", filepath.Dir(where)}
}

// cli runs one command and returns its exit code and output.
func cli(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestUserAndTeamCommands(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(engine, func(t *testing.T) {
			db := dbArgs(t, engine)
			with := func(args ...string) []string { return append(args, db...) }

			if code, out, errs := cli(t, with("team", "add", "华东")...); code != 0 || !strings.Contains(out, "华东") {
				t.Fatalf("team add: %d %q %q", code, out, errs)
			}
			code, out, errs := cli(t, with("user", "add", "alice", "--role", "manager", "--team", "华东")...)
			if code != 0 || !regexp.MustCompile(`password: \S{16}`).MatchString(out) {
				t.Fatalf("user add: %d %q %q", code, out, errs)
			}
			if code, _, _ := cli(t, with("user", "add", "bob", "--password", "long-enough-1")...); code != 0 {
				t.Fatal("user add with password failed")
			}
			if code, _, errs := cli(t, with("user", "add", "bob", "--password", "long-enough-1")...); code != 1 || !strings.Contains(errs, "already") {
				t.Fatalf("duplicate user: %d %q", code, errs)
			}
			if code, _, errs := cli(t, with("user", "add", "carol", "--password", "short")...); code != 1 || !strings.Contains(errs, "password") {
				t.Fatalf("short password: %d %q", code, errs)
			}
			if code, _, _ := cli(t, with("user", "passwd", "bob", "--password", "another-pass-2")...); code != 0 {
				t.Fatal("passwd failed")
			}
			if code, _, _ := cli(t, with("user", "disable", "bob")...); code != 0 {
				t.Fatal("disable failed")
			}
			_, out, _ = cli(t, with("user", "list")...)
			if !regexp.MustCompile(`alice\s+alice\s+manager\s+华东\s+active`).MatchString(out) || !regexp.MustCompile(`bob.*disabled`).MatchString(out) {
				t.Fatalf("user list:\n%s", out)
			}
			if code, _, _ := cli(t, with("user", "passwd", "nobody", "--password", "another-pass-2")...); code != 1 {
				t.Fatal("passwd of unknown user succeeded")
			}
			if code, _, _ := cli(t, with("user", "frobnicate", "x")...); code != 1 {
				t.Fatal("unknown subcommand succeeded")
			}
		})
	}
}

func TestMigrateStatus(t *testing.T) {
	dir := t.TempDir()
	code, out, _ := cli(t, "migrate", "--status", "--data", dir)
	if code != 0 || !strings.Contains(out, "0001  core") || !strings.Contains(out, "pending") {
		t.Fatalf("status before: %d %q", code, out)
	}
	if code, out, _ := cli(t, "migrate", "--data", dir); code != 0 || !strings.Contains(out, "applied ") {
		t.Fatalf("migrate: %d %q", code, out)
	}
	if _, out, _ := cli(t, "migrate", "--status", "--data", dir); !strings.Contains(out, "applied 20") {
		t.Fatalf("status after: %q", out)
	}
	if code, _, _ := cli(t, "nope"); code != 2 {
		t.Fatalf("unknown command exit %d", code)
	}
}

// TestServeEndToEnd is the acceptance path of the foundation: start the
// server on an empty database, sign in as the admin it creates, create an
// account, a contact and a deal, then stop it with a signal.
func TestServeEndToEnd(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Setenv("DEALPATH_ADMIN_PASSWORD", "first-admin-pw")
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var out, errb syncBuffer
			done := make(chan int, 1)
			go func() {
				done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, dbArgs(t, engine)...), &out, &errb)
			}()
			addr := waitForAddr(t, &out, &errb)
			base := "http://" + addr

			call := func(method, path, token string, body any, want int) map[string]any {
				t.Helper()
				b, _ := json.Marshal(body)
				req, _ := http.NewRequest(method, base+path, bytes.NewReader(b))
				req.Header.Set("Content-Type", "application/json")
				if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				m := map[string]any{}
				_ = json.NewDecoder(res.Body).Decode(&m)
				if res.StatusCode != want {
					t.Fatalf("%s %s: %d %v", method, path, res.StatusCode, m)
				}
				return m
			}
			if !strings.Contains(out.String(), "DEALPATH_ADMIN_PASSWORD") {
				t.Fatalf("no admin notice in %q", out.String())
			}
			call("GET", "/healthz", "", nil, 200)
			tok := call("POST", "/api/v1/auth/login", "", map[string]string{"username": "admin", "password": "first-admin-pw"}, 200)["token"].(string)
			acc := call("POST", "/api/v1/accounts", tok, map[string]any{"name": "宁波海天贸易有限公司", "headcount": 30}, 201)
			accID := acc["id"]
			call("POST", "/api/v1/contacts", tok, map[string]any{"account_id": accID, "name": "王总", "functional_role": "general_manager"}, 201)
			deal := call("POST", "/api/v1/deals", tok, map[string]any{"account_id": accID, "title": "进销存系统", "amount": 12_000_000}, 201)
			if deal["stage"] != "prospecting" {
				t.Fatalf("deal = %v", deal)
			}

			cancel() // what SIGTERM does through signal.NotifyContext
			select {
			case code := <-done:
				if code != 0 {
					t.Fatalf("serve exited %d: %s", code, errb.String())
				}
			case <-time.After(30 * time.Second):
				t.Fatal("serve did not shut down")
			}
			if !strings.Contains(errb.String(), `"path":"/api/v1/deals"`) || !strings.Contains(errb.String(), `"request_id"`) {
				t.Fatalf("request log missing: %s", errb.String())
			}
		})
	}
}

func waitForAddr(t *testing.T, out, errb *syncBuffer) string {
	t.Helper()
	re := regexp.MustCompile(`listening on http://(\S+)`)
	for i := 0; i < 600; i++ {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			return m[1]
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("server did not start: %s %s", out.String(), errb.String())
	return ""
}
