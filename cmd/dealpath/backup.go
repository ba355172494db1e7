package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/dealpath/dealpath/internal/store"
)

// postgresBackupHelp is what backup and restore say on PostgreSQL, whose own
// tools copy a live database consistently.
const postgresBackupHelp = `on PostgreSQL, back up and restore with PostgreSQL's own tools:
  pg_dump --format=custom --file=dealpath.dump "$DEALPATH_DATABASE_URL"
  createdb dealpath_restored && pg_restore --no-owner --dbname=postgres://…/dealpath_restored dealpath.dump
(see docs/operations.md)`

func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: dealpath backup [--data DIR] FILE")
		fmt.Fprintln(stderr, "Writes a consistent copy of the live SQLite database to FILE (which must not exist); the server may keep running.")
		fs.PrintDefaults()
	}
	var dbf dbFlags
	dbf.register(fs)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if dbf.databaseURL != "" {
		fmt.Fprintln(stderr, postgresBackupHelp)
		return errUsage
	}
	if len(pos) != 1 {
		fs.Usage()
		return errUsage
	}
	if _, err := os.Stat(filepath.Join(dbf.data, "dealpath.db")); err != nil {
		return fmt.Errorf("no database in %s: %w", dbf.data, err)
	}
	db, err := store.Open(ctx, dbf.data, "")
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Backup(ctx, pos[0]); err != nil {
		return err
	}
	info, err := os.Stat(pos[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backed up %s to %s (%d bytes)\n", filepath.Join(dbf.data, "dealpath.db"), pos[0], info.Size())
	return nil
}

func runRestore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: dealpath restore [--data DIR] FILE")
		fmt.Fprintln(stderr, "Checks FILE is a sound dealpath backup and copies it into DIR, which must be missing or empty.")
		fs.PrintDefaults()
	}
	var dbf dbFlags
	dbf.register(fs)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if dbf.databaseURL != "" {
		fmt.Fprintln(stderr, postgresBackupHelp)
		return errUsage
	}
	if len(pos) != 1 {
		fs.Usage()
		return errUsage
	}
	if err := store.Restore(ctx, pos[0], dbf.data); err != nil {
		return err
	}
	// Bring the copy up to this version's schema now, so that a failure
	// shows here rather than at the next start.
	db, err := store.Open(ctx, dbf.data, "")
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := db.Migrate(ctx)
	if err != nil {
		return errors.Join(fmt.Errorf("restored, but migrating failed"), err)
	}
	fmt.Fprintf(stdout, "restored %s into %s (%d migration(s) applied)\n", pos[0], dbf.data, n)
	return nil
}
