package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/dealpath/dealpath/internal/playbook"
	"github.com/dealpath/dealpath/internal/web"
)

// shutdownGrace is how long in-flight requests get after SIGTERM.
const shutdownGrace = 15 * time.Second

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var dbf dbFlags
	dbf.register(fs)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	playbookFile := fs.String("playbook", "", "playbook YAML file to use instead of the built-in default")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	var err error
	var pb *playbook.Playbook
	if *playbookFile != "" {
		if pb, err = loadPlaybook(*playbookFile, stderr); err != nil {
			return err
		}
	}
	db, svc, err := dbf.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if pb != nil {
		svc.Playbook = pb
	}
	if n, err := svc.SyncFit(ctx); err != nil {
		return fmt.Errorf("recompute fit grades: %w", err)
	} else if n > 0 {
		log.Info("playbook changed: fit grades recomputed", "accounts", n)
	}
	if n, err := svc.FailInterruptedImports(ctx); err != nil {
		return fmt.Errorf("mark interrupted imports: %w", err)
	} else if n > 0 {
		log.Warn("imports interrupted by a stopped server marked as failed", "jobs", n)
	}
	// Other servers may share the database: the jobs of one that crashes
	// are failed once their heartbeat is old, without waiting for a start.
	go svc.SweepInterruptedImports(ctx, func(n int, err error) {
		if err != nil {
			log.Warn("sweep of interrupted imports failed", "err", err)
			return
		}
		log.Warn("imports interrupted by a stopped server marked as failed", "jobs", n)
	})
	pw, created, err := svc.EnsureAdmin(ctx, os.Getenv("DEALPATH_ADMIN_PASSWORD"))
	if err != nil {
		return fmt.Errorf("create admin: %w", err)
	}
	if created {
		if os.Getenv("DEALPATH_ADMIN_PASSWORD") != "" {
			fmt.Fprintln(stdout, "Created user admin with the password from DEALPATH_ADMIN_PASSWORD.")
		} else {
			fmt.Fprintf(stdout, "Created user admin with password: %s\n(shown once; change it with 'dealpath user passwd admin')\n", pw)
		}
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	api := web.New(svc, log)
	srv := &http.Server{
		Handler:           api.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	fmt.Fprintf(stdout, "dealpath listening on http://%s (%s)\n", ln.Addr(), db.Engine())
	log.Info("server started", "instance", svc.Instance)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	n := api.Counts()
	log.Info("shutting down", "instance", svc.Instance, "server_errors", n.ServerErrors, "unavailable", n.Unavailable,
		"client_closed", n.ClientClosed)
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
