// Command dealpath is the guided-selling CRM: one binary that serves the web
// UI and JSON API and administers its database from the command line.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// command is one subcommand: its name, one line of help, and its body.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "start the web server", runServe},
		{"migrate", "apply database migrations (--status lists them)", runMigrate},
		{"user", "manage users: add, list, passwd, disable, enable", runUser},
		{"team", "manage teams: add, list", runTeam},
		{"playbook", "check or print a sales playbook: lint, show", runPlaybook},
		{"import", "import accounts, contacts, deals or activities from CSV or XLSX", runImport},
		{"export", "export records as CSV or XLSX", runExport},
		{"backup", "copy the live SQLite database to a file", runBackup},
		{"restore", "restore a backup file into an empty data directory", runRestore},
		{"demo", "fill an empty database with realistic demo data", runDemo},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// errUsage marks an error whose message already explained the usage.
var errUsage = errors.New("usage")

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name == args[0] {
			if err := c.run(ctx, args[1:], stdout, stderr); err != nil {
				if errors.Is(err, flag.ErrHelp) {
					return 0
				}
				if !errors.Is(err, errUsage) {
					fmt.Fprintln(stderr, "dealpath "+c.name+":", err)
				}
				return 1
			}
			return 0
		}
	}
	fmt.Fprintf(stderr, "dealpath: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: dealpath <command> [flags]")
	fmt.Fprintln(w)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'dealpath <command> -h' for a command's flags.")
}
