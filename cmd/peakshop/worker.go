package main

import (
	"context"
	"io"

	"github.com/peakshop/peakshop/internal/app"
	"github.com/peakshop/peakshop/internal/platform/flagenv"
)

// runWorker runs the workflows, the outbox relay and the subscribers alone,
// against the shop's database and NATS, until SIGTERM.
func runWorker(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := app.DefaultConfig()
	fs := newFlagSet("worker", "Run the order pipeline alone (fulfillment workflows, outbox relay, subscribers) against\nthe shop's --db and --nats until SIGTERM, so shops and workers scale and fail apart.", stderr)
	cfg.WorkerFlags(fs)
	if err := flagenv.Parse(fs, "PEAKSHOP", args); err != nil {
		return err
	}
	logger, err := newLogger(cfg.LogLevel, stderr)
	if err != nil {
		return err
	}
	return app.RunWorker(ctx, cfg, logger)
}
