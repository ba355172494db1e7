package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/dealpath/dealpath/internal/crm"
)

const teamUsage = `usage:
  dealpath team add NAME
  dealpath team list`

func runTeam(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, teamUsage)
		return errUsage
	}
	fs := flag.NewFlagSet("team "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, teamUsage) }
	var dbf dbFlags
	dbf.register(fs)
	positional, err := parseInterspersed(fs, args[1:])
	if err != nil {
		return err
	}
	db, svc, err := dbf.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	switch args[0] {
	case "add":
		if len(positional) != 1 {
			fmt.Fprintln(stderr, teamUsage)
			return errUsage
		}
		t, err := svc.CreateTeam(ctx, crm.SystemActor, crm.TeamInput{Name: positional[0]})
		if err != nil {
			return cliError(err)
		}
		fmt.Fprintf(stdout, "created team %s (id %d)\n", t.Name, t.ID)
	case "list":
		teams, err := svc.Teams(ctx, crm.SystemActor)
		if err != nil {
			return cliError(err)
		}
		for _, t := range teams {
			fmt.Fprintf(stdout, "%d\t%s\n", t.ID, t.Name)
		}
	default:
		fmt.Fprintln(stderr, teamUsage)
		return errUsage
	}
	return nil
}
