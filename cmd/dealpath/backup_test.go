package main

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestBackupAndRestoreCommands(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	if code, _, errs := cli(t, "user", "add", "alice", "--password", "long-enough-1", "--data", data); code != 0 {
		t.Fatalf("user add: %s", errs)
	}
	file := filepath.Join(t.TempDir(), "dealpath-backup.db")
	if code, out, errs := cli(t, "backup", "--data", data, file); code != 0 || !strings.Contains(out, "backed up") {
		t.Fatalf("backup: %d %q %q", code, out, errs)
	}
	if code, _, errs := cli(t, "backup", "--data", data, file); code != 1 || !strings.Contains(errs, "exists") {
		t.Fatalf("backup onto an existing file: %d %q", code, errs)
	}
	if code, _, errs := cli(t, "backup", "--data", filepath.Join(t.TempDir(), "nothing"), file+"2"); code != 1 || !strings.Contains(errs, "no database") {
		t.Fatalf("backup of a missing database: %d %q", code, errs)
	}
	restored := filepath.Join(t.TempDir(), "restored")
	if code, out, errs := cli(t, "restore", "--data", restored, file); code != 0 || !strings.Contains(out, "restored") {
		t.Fatalf("restore: %d %q %q", code, out, errs)
	}
	if code, _, errs := cli(t, "restore", "--data", restored, file); code != 1 || !strings.Contains(errs, "not empty") {
		t.Fatalf("restore into a non-empty directory: %d %q", code, errs)
	}
	if code, out, errs := cli(t, "user", "list", "--data", restored); code != 0 || !strings.Contains(out, "alice") {
		t.Fatalf("user list on the restored copy: %d %q %q", code, out, errs)
	}
	if code, _, errs := cli(t, "backup", "--database-url", "postgres://x@127.0.0.1/none", file+"3"); code != 1 || !strings.Contains(errs, "pg_dump") {
		t.Fatalf("backup on PostgreSQL: %d %q", code, errs)
	}
	if code, _, errs := cli(t, "restore", "--database-url", "postgres://x@127.0.0.1/none", file); code != 1 || !strings.Contains(errs, "pg_restore") {
		t.Fatalf("restore on PostgreSQL: %d %q", code, errs)
	}
}
