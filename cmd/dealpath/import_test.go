package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dealpath/dealpath/internal/store/storetest"
)

func TestImportExportCommands(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(engine, func(t *testing.T) {
			db := dbArgs(t, engine)
			dir := t.TempDir()
			if code, _, errs := cli(t, append([]string{"user", "add", "admin", "--role", "admin", "--password", "correct-horse-1"}, db...)...); code != 0 {
				t.Fatalf("user add: %s", errs)
			}
			good := filepath.Join(dir, "accounts.csv")
			if err := os.WriteFile(good, []byte("公司名称,员工人数\n甲公司,10\n乙公司,五\n丙公司,30\n"), 0o600); err != nil {
				t.Fatal(err)
			}

			// Dry run: the problem by row and column, nothing written.
			code, out, errs := cli(t, append([]string{"import", "--kind", "accounts", good, "--dry-run", "--progress"}, db...)...)
			if code != 0 || !strings.Contains(errs, "row 3, 员工人数: “五” is not a whole number.") ||
				!strings.Contains(out, "3 rows read, 2 good, 1 bad, 0 written") || !strings.Contains(errs, "rows/s") {
				t.Fatalf("dry run: %d\n%s\n%s", code, out, errs)
			}
			// All or nothing fails and writes nothing.
			code, out, _ = cli(t, append([]string{"import", "--kind", "accounts", good}, db...)...)
			if code != 1 || !strings.Contains(out, "0 written") {
				t.Fatalf("all or nothing: %d %s", code, out)
			}
			// Skip bad rows writes two and the error file.
			errFile := filepath.Join(dir, "errors.csv")
			code, out, errs = cli(t, append([]string{"import", "--kind", "accounts", good, "--skip-bad-rows", "--errors", errFile}, db...)...)
			if code != 0 || !strings.Contains(out, "2 written") {
				t.Fatalf("skip bad rows: %d %s %s", code, out, errs)
			}
			if b, err := os.ReadFile(errFile); err != nil || !strings.Contains(string(b), "乙公司") {
				t.Fatalf("error file: %s %v", b, err)
			}

			// Export to a file and to stdout.
			xlsx := filepath.Join(dir, "accounts.xlsx")
			if code, _, errs := cli(t, append([]string{"export", "--kind", "accounts", "--format", "xlsx", "--out", xlsx}, db...)...); code != 0 || !strings.Contains(errs, "exported 2 accounts") {
				t.Fatalf("export xlsx: %d %s", code, errs)
			}
			code, out, _ = cli(t, append([]string{"export", "--kind", "accounts", "--lang", "en"}, db...)...)
			if code != 0 || !strings.HasPrefix(out, "\uFEFFCompany name,") || !strings.Contains(out, "丙公司") {
				t.Fatalf("export csv: %d %s", code, out)
			}

			// Bad invocations.
			for _, args := range [][]string{
				{"import", good},
				{"import", "--kind", "accounts"},
				{"import", "--kind", "planets", good},
				{"import", "--kind", "accounts", filepath.Join(dir, "missing.csv")},
				{"import", "--kind", "accounts", good, "--as", "nobody"},
				{"export", "--kind", "accounts", "--format", "pdf"},
				{"export", "--kind", "planets"},
			} {
				if code, _, _ := cli(t, append(args, db...)...); code == 0 {
					t.Errorf("%v: exit 0", args)
				}
			}
		})
	}
}
