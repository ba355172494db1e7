package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/store"
)

// dbFlags are the flags every command that opens the database shares.
type dbFlags struct {
	data        string
	databaseURL string
}

func (f *dbFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.data, "data", "./data", "data directory holding dealpath.db (SQLite)")
	fs.StringVar(&f.databaseURL, "database-url", os.Getenv("DEALPATH_DATABASE_URL"),
		"PostgreSQL URL (postgres://…); default $DEALPATH_DATABASE_URL; empty means SQLite in --data")
}

// open opens and migrates the database, and returns a service on it.
func (f *dbFlags) open(ctx context.Context) (*store.DB, *crm.Service, error) {
	db, err := store.Open(ctx, f.data, f.databaseURL)
	if err != nil {
		return nil, nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("migrate: %w", err)
	}
	return db, crm.NewService(db), nil
}

// parseInterspersed parses flags that may stand before, between or after
// the positional arguments ("user add alice --role rep" and "user add
// --role rep alice" both work), and returns the positional ones.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}
