package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/store/storetest"
)

// seedQuote drafts a one-line quote on a deal of the first account, as
// the admin, through the service the CLI uses.
func seedQuote(t *testing.T, db []string) *crm.Quote {
	t.Helper()
	ctx := context.Background()
	var dbf dbFlags
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	dbf.register(fs)
	if err := fs.Parse(db); err != nil {
		t.Fatal(err)
	}
	d, svc, err := dbf.open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	u, err := svc.Store.UserByUsername(ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	admin := crm.ActorOf(u)
	accs, err := svc.Accounts(ctx, admin, crm.AccountFilter{})
	if err != nil || len(accs.Items) == 0 {
		t.Fatalf("accounts: %v", err)
	}
	p, err := svc.CreateProduct(ctx, admin, crm.ProductInput{Code: "FIN-STD", Name: crm.LocalName{ZH: "财务标准版", EN: "Finance"},
		Kind: "software_module", Unit: "set", ListPrice: 3_800_000})
	if err != nil {
		t.Fatal(err)
	}
	deal, err := svc.CreateDeal(ctx, admin, crm.DealInput{AccountID: accs.Items[0].ID, Title: "进销存系统"})
	if err != nil {
		t.Fatal(err)
	}
	q, err := svc.CreateQuote(ctx, admin, crm.QuoteInput{DealID: deal.ID, Lines: []crm.QuoteLineInput{{ProductID: p.ID, Quantity: 2}}})
	if err != nil {
		t.Fatal(err)
	}
	return q
}

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
			// The export-only kinds: a quote's lines as a workbook.
			q := seedQuote(t, db)
			qx := filepath.Join(dir, "quotes.xlsx")
			if code, _, errs := cli(t, append([]string{"export", "--kind", "quotes", "--format", "xlsx", "--out", qx}, db...)...); code != 0 || !strings.Contains(errs, "exported 1 quotes") {
				t.Fatalf("export quotes: %d %s", code, errs)
			}
			b, err := os.ReadFile(qx)
			if err != nil {
				t.Fatal(err)
			}
			wb, err := excelize.OpenReader(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			rows, err := wb.GetRows(wb.GetSheetName(0))
			if err != nil || len(rows) != 2 || rows[0][0] != "报价单号" || rows[1][0] != q.Number || rows[1][3] != "进销存系统" || rows[1][6] != "FIN-STD" || rows[1][8] != "2" {
				t.Fatalf("quotes workbook %q %v", rows, err)
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
