package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/i18n"
	"github.com/dealpath/dealpath/internal/sheet"
)

const exportUsage = `usage:
  dealpath export --kind accounts|contacts|deals|activities|products|quotes|
                  contracts|payments|users|teams [--format csv|xlsx] [--out FILE]
                  [--as USERNAME] [--lang zh-CN|en]

Writes the records the user (--as) may see; to stdout without --out.`

func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, exportUsage); fs.PrintDefaults() }
	var dbf dbFlags
	dbf.register(fs)
	kind := fs.String("kind", "", "record kind: accounts, contacts, deals, activities, products, quotes, contracts, payments, users or teams")
	format := fs.String("format", "csv", "csv or xlsx")
	out := fs.String("out", "", "file to write (default stdout)")
	as := fs.String("as", "admin", "username whose permissions the export honours")
	lang := fs.String("lang", i18n.ZH, "language of headings and labels: zh-CN or en")
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	f, ok := sheet.ParseFormat(*format)
	if len(positional) != 0 || *kind == "" || !ok || (*lang != i18n.ZH && *lang != i18n.EN) {
		fs.Usage()
		return errUsage
	}
	db, svc, err := dbf.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	svc.Text = i18n.T
	u, err := svc.Store.UserByUsername(ctx, *as)
	if err != nil {
		return fmt.Errorf("--as %s: no such user", *as)
	}
	table, err := svc.Export(ctx, crm.ActorOf(u), *kind, *lang)
	if err != nil {
		return cliError(err)
	}
	w := stdout
	if *out != "" {
		file, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer file.Close()
		bw := bufio.NewWriter(file)
		if err := sheet.Write(bw, f, table); err != nil {
			return err
		}
		if err := bw.Flush(); err != nil {
			return err
		}
		if err := file.Close(); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "exported %d %s to %s\n", len(table.Rows), *kind, *out)
		return nil
	}
	return sheet.Write(w, f, table)
}
