package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/dealpath/dealpath/internal/store"
)

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var dbf dbFlags
	dbf.register(fs)
	status := fs.Bool("status", false, "list migrations and whether each is applied, change nothing")
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := store.Open(ctx, dbf.data, dbf.databaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	if *status {
		list, err := db.MigrationStatus(ctx)
		if err != nil {
			return err
		}
		for _, m := range list {
			state := "pending"
			if m.AppliedAt != nil {
				state = "applied " + m.AppliedAt.Format("2006-01-02 15:04:05Z")
			}
			fmt.Fprintf(stdout, "%04d  %-24s %s\n", m.Version, m.Name, state)
		}
		return nil
	}
	n, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "applied %d migration(s)\n", n)
	return nil
}
