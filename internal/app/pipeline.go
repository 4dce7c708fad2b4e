package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/peakshop/peakshop/internal/domain/event"
	"github.com/peakshop/peakshop/internal/domain/payment"
	"github.com/peakshop/peakshop/internal/fulfillment"
	"github.com/peakshop/peakshop/internal/messaging/jetstream"
	"github.com/peakshop/peakshop/internal/messaging/outbox"
	"github.com/peakshop/peakshop/internal/storage/sqlstore"
)

// PipelineConfig configures the order pipeline: JetStream, the outbox relay
// and the fulfillment workflows.
type PipelineConfig struct {
	// Off runs the shop without the pipeline: events wait in the outbox
	// for a `peakshop worker`.
	Off bool
	// NATS is an external server's URL; empty embeds one under <data>/nats.
	NATS string
	// Queued is --checkout-mode=queued.
	Queued             bool
	PaymentRate        float64
	PaymentConcurrency int
	AppVersion         string
}

// pipeline is the running order pipeline.
type pipeline struct {
	bus    *jetstream.Bus
	engine *fulfillment.Engine
	relay  *outbox.Relay
}

// startPipeline opens JetStream and DBOS and builds the relay that feeds
// both from the outbox.
func startPipeline(ctx context.Context, cfg Config, st *sqlstore.Store, gw payment.Gateway, logger *slog.Logger) (*pipeline, error) {
	p := &pipeline{}
	var err error
	if p.bus, err = jetstream.Open(ctx, jetstream.Config{URL: cfg.Pipeline.NATS, StoreDir: filepath.Join(cfg.DataDir, "nats"), Logger: logger}); err != nil {
		return nil, err
	}
	p.engine, err = fulfillment.New(ctx, fulfillment.Config{SystemDB: workflowDB(cfg), Schema: workflowSchema(cfg.DSN()),
		AppVersion: cfg.Pipeline.AppVersion, PaymentRate: cfg.Pipeline.PaymentRate, PaymentConcurrency: cfg.Pipeline.PaymentConcurrency},
		st, gw, &fulfillment.SimCarrier{}, logger)
	if err != nil {
		_ = p.bus.Close()
		return nil, err
	}
	publish := func(ctx context.Context, evs []event.Event) error { return p.bus.Publish(ctx, evs...) }
	p.relay = outbox.New(st, outbox.Config{}, logger, publish, p.engine.Start)
	return p, nil
}

// run relays until ctx ends; the returned func stops everything in order:
// the relay (nothing new is enqueued or published), the bus, DBOS last.
func (p *pipeline) run(ctx context.Context) func() error {
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); p.relay.Run(rctx) }()
	return func() error {
		cancel()
		<-done
		return errors.Join(p.bus.Close(), p.engine.Shutdown(10*time.Second))
	}
}

// workflowDB is DBOS's database: its own SQLite file beside the shop's (SQLite
// has one writer, and workflows would compete with checkouts for it), or the
// shop's PostgreSQL database in a schema of its own.
func workflowDB(cfg Config) string {
	dsn := cfg.DSN()
	if strings.HasPrefix(dsn, "sqlite:") {
		return "sqlite:" + filepath.Join(filepath.Dir(strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "//")), "workflows.db")
	}
	return dsn
}

// workflowSchema keeps DBOS's tables next to the shop's schema: a shop in
// schema s (search_path) gets s_dbos, so shops sharing a database (tests,
// staging) never run each other's workflows.
func workflowSchema(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.Query().Get("search_path") == "" {
		return "peakshop_dbos"
	}
	return fmt.Sprintf("%s_dbos", strings.Split(u.Query().Get("search_path"), ",")[0])
}
