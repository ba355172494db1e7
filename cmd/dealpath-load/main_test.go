package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/demo"
	"github.com/dealpath/dealpath/internal/store"
	"github.com/dealpath/dealpath/internal/store/storetest"
	"github.com/dealpath/dealpath/internal/web"
	"golang.org/x/crypto/bcrypt"
)

func TestRefusesAnythingButAnHTTPAddress(t *testing.T) {
	for _, addr := range []string{"", "127.0.0.1:8080", "http://127.0.0.1", "ftp://127.0.0.1:21", "http://127.0.0.1:8080/api",
		"http://u:p@127.0.0.1:8080", "http://127.0.0.1:8080?x=1", "http://127.0.0.1:99999", "unix:///tmp/sock"} {
		var out, errb bytes.Buffer
		if code := run(context.Background(), []string{"--addr", addr, "--password", "x", "--duration", "1s"}, &out, &errb); code != 2 {
			t.Errorf("--addr %q: exit %d, want 2 (%s)", addr, code, errb.String())
		}
	}
	for _, args := range [][]string{
		{"--mix", "list=1,bogus=2"}, {"--mix", "list=0"}, {"--duration", "0s"}, {"--duration", "100h"}, {"--concurrency", "0"},
	} {
		var out, errb bytes.Buffer
		if code := run(context.Background(), append([]string{"--addr", "http://127.0.0.1:1", "--password", "x"}, args...), &out, &errb); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

// TestLoadRunsAndStopsByItself runs the load generator for a second
// against a server on demo data and checks that it stops, reports every
// operation of the mix without errors, and reads the server's memory.
func TestLoadRunsAndStopsByItself(t *testing.T) {
	ctx := context.Background()
	db := storetest.MustOpen(t, store.SQLite)
	svc := crm.NewService(db)
	svc.PasswordCost = bcrypt.MinCost
	if _, err := demo.Generate(ctx, db, svc, demo.Config{Accounts: 20, Deals: 100, Teams: 1, RepsPerTeam: 2,
		Password: "load-password-1", Seed: 3, AsOf: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateUser(ctx, crm.SystemActor, crm.UserInput{Username: "boss", Password: "load-password-1", Role: crm.RoleAdmin}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(web.New(svc, slog.New(slog.NewTextHandler(io.Discard, nil))).Handler())
	defer srv.Close()

	var out, errb bytes.Buffer
	start := time.Now()
	code := run(ctx, []string{"--addr", srv.URL, "--user", "boss", "--password", "load-password-1", "--duration", "1s",
		"--concurrency", "4", "--mix", "list=3,get=3,search=2,create=1,update=1,move=1", "--server-pid", fmt.Sprint(os.Getpid())}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out.String(), errb.String())
	}
	if took := time.Since(start); took > time.Minute {
		t.Errorf("a 1s run took %s", took)
	}
	report := out.String()
	for _, want := range []string{"list ", "get ", "search ", "create ", "update ", "move ", "all ", "p95 ms", "VmHWM"} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
	if strings.Contains(report, "pipeline") {
		t.Errorf("an operation outside the mix ran:\n%s", report)
	}

	// A rep signs in with the demo password and only reads and writes what
	// it may: still no errors.
	out.Reset()
	if code := run(ctx, []string{"--addr", srv.URL, "--user", "rep1_1", "--password", "load-password-1", "--duration", "300ms",
		"--concurrency", "2", "--mix", "list=1,get=1,create=1,update=1,move=1"}, &out, &errb); code != 0 {
		t.Fatalf("rep run: exit %d\n%s\n%s", code, out.String(), errb.String())
	}
	// A wrong password fails before any load.
	if code := run(ctx, []string{"--addr", srv.URL, "--user", "boss", "--password", "wrong-password", "--duration", "1s"}, &out, &errb); code != 1 ||
		!strings.Contains(errb.String(), "sign in") {
		t.Fatalf("wrong password: exit %d, %s", code, errb.String())
	}
}
