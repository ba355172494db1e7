package main

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestDemoCommand(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	code, out, errs := cli(t, "demo", "--data", data, "--accounts", "5", "--deals", "30", "--teams", "1", "--reps", "1", "--as-of", "2026-11-02")
	if code != 0 || !strings.Contains(out, "generated 5 accounts, 30 deals and 2 users") || !strings.Contains(out, "password of the generated users: ") ||
		!strings.Contains(out, "users: admin, manager1") {
		t.Fatalf("demo: %d %q %q", code, out, errs)
	}
	if code, _, errs := cli(t, "demo", "--data", data, "--accounts", "5"); code != 1 || !strings.Contains(errs, "already holds accounts") {
		t.Fatalf("demo into a database with accounts: %d %q", code, errs)
	}
	if code, _, errs := cli(t, "demo", "--data", filepath.Join(t.TempDir(), "d2"), "--as-of", "someday"); code != 1 || !strings.Contains(errs, "--as-of") {
		t.Fatalf("demo with a bad --as-of: %d %q", code, errs)
	}
	if code, out, _ := cli(t, "user", "list", "--data", data); code != 0 || !strings.Contains(out, "rep1_1") || !strings.Contains(out, "manager1") {
		t.Fatalf("user list after demo: %q", out)
	}
}
