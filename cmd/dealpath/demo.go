package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/demo"
)

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var dbf dbFlags
	dbf.register(fs)
	cfg := demo.Config{Progress: stdout}
	fs.IntVar(&cfg.Accounts, "accounts", 200, "accounts (companies) to generate")
	fs.IntVar(&cfg.Deals, "deals", 1000, "deals to generate, spread over the accounts")
	fs.IntVar(&cfg.Teams, "teams", 4, "sales teams, each with a manager")
	fs.IntVar(&cfg.RepsPerTeam, "reps", 5, "reps per team")
	fs.Uint64Var(&cfg.Seed, "seed", 1, "random seed: the same seed, sizes and --as-of give the same data")
	asOf := fs.String("as-of", "", "the day the data is current on, YYYY-MM-DD (default today, UTC)")
	fs.StringVar(&cfg.Password, "password", "", "password of every generated user (default: a random one, printed)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile (pprof) of the run to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "dealpath demo: unexpected argument %q\n", fs.Arg(0))
		return errUsage
	}
	cfg.AsOf = time.Now().UTC()
	if *asOf != "" {
		d, err := crm.ParseDate(*asOf)
		if err != nil {
			return fmt.Errorf("--as-of: want YYYY-MM-DD, got %q", *asOf)
		}
		cfg.AsOf = d.Time
	}
	printPassword := cfg.Password == ""
	if printPassword {
		cfg.Password = crm.RandomSecret(12)
	}
	db, svc, err := dbf.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	st, err := demo.Generate(ctx, db, svc, cfg)
	if err != nil {
		return err
	}
	secs := st.Elapsed.Seconds()
	fmt.Fprintf(stdout, "generated %d accounts, %d deals and %d users: %d rows in %.1f s (%.0f rows/s)\n",
		st.Accounts, st.Deals, st.Users, st.Rows, secs, float64(st.Rows)/secs)
	managers, reps := demo.Users(cfg)
	admin := ""
	if st.AdminCreated {
		admin = "admin, "
	}
	fmt.Fprintf(stdout, "users: %s%s … %s, %s … %s\n", admin, managers[0], managers[len(managers)-1], reps[0], reps[len(reps)-1])
	if printPassword && (st.Users > 0 || st.AdminCreated) {
		fmt.Fprintf(stdout, "password of the generated users: %s\n", cfg.Password)
	}
	return nil
}
