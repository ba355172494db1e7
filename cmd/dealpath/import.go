package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/i18n"
	"github.com/dealpath/dealpath/internal/tabular"
)

const importUsage = `usage:
  dealpath import --kind accounts|contacts|deals|activities FILE [--dry-run] [--skip-bad-rows]
                  [--as USERNAME] [--errors FILE] [--progress]

Reads CSV (UTF-8, UTF-8 with BOM, GB18030) or XLSX. Without --skip-bad-rows
the import is all or nothing: one bad row and nothing is written.`

func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, importUsage); fs.PrintDefaults() }
	var dbf dbFlags
	dbf.register(fs)
	kind := fs.String("kind", "", "record kind: accounts, contacts, deals or activities")
	dryRun := fs.Bool("dry-run", false, "check every row and report problems without writing")
	skip := fs.Bool("skip-bad-rows", false, "write the good rows and skip the bad ones")
	as := fs.String("as", "admin", "username the import acts as (and the default owner)")
	errFile := fs.String("errors", "", "write the bad rows with their problems to this CSV file")
	progress := fs.Bool("progress", false, "show a progress bar even when stderr is not a terminal")
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(positional) != 1 || *kind == "" || (*dryRun && *skip) {
		fs.Usage()
		return errUsage
	}
	mode := crm.ImportAllOrNothing
	switch {
	case *dryRun:
		mode = crm.ImportDryRun
	case *skip:
		mode = crm.ImportSkipBadRows
	}
	f, err := os.Open(positional[0])
	if err != nil {
		return err
	}
	defer f.Close()
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
	actor := crm.ActorOf(u)
	actor.Language = i18n.EN
	start := time.Now()
	table, err := tabular.Read(f, tabular.Limits{MaxBytes: 1 << 30, MaxRows: 10_000_000})
	if err != nil {
		return fmt.Errorf("%s: %w", positional[0], err)
	}
	bar := &progressBar{w: stderr, on: *progress || isTerminal(stderr), start: start}
	res, err := svc.Import(ctx, actor, crm.ImportRequest{Kind: *kind, Mode: mode, Table: table, Progress: bar.update})
	bar.finish()
	if err != nil {
		return cliError(err)
	}
	elapsed := time.Since(start)
	printProblems(stderr, res)
	if *errFile != "" && res.Bad > 0 {
		b, err := svc.ImportErrorFile(i18n.EN, res)
		if err != nil {
			return err
		}
		if err := os.WriteFile(*errFile, b, 0o644); err != nil {
			return err
		}
	}
	rate := float64(res.Rows) / elapsed.Seconds()
	fmt.Fprintf(stdout, "%s %s: %d rows read, %d good, %d bad, %d written in %s (%.0f rows/s)\n",
		*kind, strings.ReplaceAll(mode, "_", "-"), res.Rows, res.Good, res.Bad, res.Inserted, elapsed.Round(time.Millisecond), rate)
	if res.Failed {
		return errors.New("bad rows found; nothing was written (fix them, or use --skip-bad-rows)")
	}
	return nil
}

// printProblems lists the problems by row and column, in English.
func printProblems(w io.Writer, res *crm.ImportResult) {
	for _, p := range res.Problems {
		col := p.Column
		if col == "" {
			col = p.Field
		}
		fmt.Fprintf(w, "row %d, %s: %s\n", p.Line, col, i18n.T(i18n.EN, p.Message.Key, p.Message.Args...))
	}
	if res.Bad > 0 && len(res.Problems) == crm.MaxImportProblems {
		fmt.Fprintf(w, "(only the first %d problems are listed)\n", crm.MaxImportProblems)
	}
}

// progressBar draws "check [#####     ] 5000/10000 12345 rows/s" on one
// line of stderr, redrawn at most ten times a second.
type progressBar struct {
	w     io.Writer
	on    bool
	start time.Time
	mu    sync.Mutex
	last  time.Time
	drawn bool
}

func (b *progressBar) update(phase string, done, total int) {
	if !b.on || total == 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	now := time.Now()
	if done < total && now.Sub(b.last) < 100*time.Millisecond {
		return
	}
	b.last = now
	const width = 30
	n := done * width / total
	rate := float64(done) / max(now.Sub(b.start).Seconds(), 1e-3)
	fmt.Fprintf(b.w, "\r%-5s [%s%s] %d/%d %.0f rows/s ", phase, strings.Repeat("#", n), strings.Repeat(" ", width-n), done, total, rate)
	b.drawn = true
}

func (b *progressBar) finish() {
	if b.drawn {
		fmt.Fprintln(b.w)
	}
}

// isTerminal reports whether w is a terminal, where a redrawn progress
// line helps; in a log file it would be noise.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
