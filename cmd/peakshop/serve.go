package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/peakshop/peakshop/internal/app"
	"github.com/peakshop/peakshop/internal/platform/flagenv"
	"github.com/peakshop/peakshop/internal/storage/sqlstore"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := app.DefaultConfig()
	fs := newFlagSet("serve", "Run the shop: JSON API, metrics and demo data on the embedded defaults.\n\nPEAKSHOP_ADMIN_TOKEN (environment only, never a flag): the admin bearer token;\nwhen unset, one is generated at first start and printed once.", stderr)
	cfg.ServeFlags(fs)
	if err := flagenv.Parse(fs, "PEAKSHOP", args); err != nil {
		return err
	}
	cfg.AdminTokenFromEnv()
	logger, err := newLogger(cfg.LogLevel, stderr)
	if err != nil {
		return err
	}
	a, err := app.New(ctx, cfg, logger, stderr)
	if err != nil {
		return err
	}
	return a.Run(ctx)
}

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := app.DefaultConfig()
	fs := newFlagSet("migrate", "Apply database migrations and exit.", stderr)
	cfg.StorageFlags(fs)
	if err := flagenv.Parse(fs, "PEAKSHOP", args); err != nil {
		return err
	}
	st, _, err := openMigrated(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	fmt.Fprintln(stdout, "migrations applied")
	return nil
}

func runSeed(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := app.DefaultConfig()
	fs := newFlagSet("seed", "Load the demo catalog into an empty database and exit.", stderr)
	cfg.StorageFlags(fs)
	if err := flagenv.Parse(fs, "PEAKSHOP", args); err != nil {
		return err
	}
	st, logger, err := openMigrated(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	n, err := app.SeedDemo(ctx, st, cfg.Currency, logger)
	if err != nil {
		return err
	}
	if n == 0 {
		fmt.Fprintln(stdout, "the database already has products; nothing seeded")
		return nil
	}
	fmt.Fprintf(stdout, "seeded %d demo products\n", n)
	return nil
}

// openMigrated opens the configured database with its schema brought up to
// date, for the one-shot commands. The caller closes the store.
func openMigrated(ctx context.Context, cfg app.Config, stderr io.Writer) (*sqlstore.Store, *slog.Logger, error) {
	logger, err := newLogger(cfg.LogLevel, stderr)
	if err != nil {
		return nil, nil, err
	}
	st, err := app.OpenStore(ctx, cfg.DSN(), cfg.Currency, logger)
	if err != nil {
		return nil, nil, err
	}
	if err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, nil, err
	}
	return st, logger, nil
}

func newFlagSet(name, doc string, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprintf(out, "Usage: peakshop %s [flags]\n\n%s\nEvery flag can also be set by the environment variable shown in brackets.\n\nFlags:\n", name, doc)
		fs.PrintDefaults()
	}
	return fs
}

func newLogger(level string, out io.Writer) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.ToUpper(level))); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
	}
	return slog.New(slog.NewJSONHandler(out, &slog.HandlerOptions{Level: l})), nil
}
