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
	"github.com/peakshop/peakshop/internal/fulfillment/subscribers"
	"github.com/peakshop/peakshop/internal/messaging/jetstream"
	"github.com/peakshop/peakshop/internal/messaging/mailer"
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
	// SMTP is the relay (host:port) order e-mails go through; empty writes
	// them as .eml files under <data>/mail.
	SMTP     string
	MailFrom string
	// tracing is the bus's part in the shop's traces (set by New from its
	// telemetry; a worker carries headers only).
	tracing jetstream.Tracing
}

// pipeline is the running order pipeline.
type pipeline struct {
	bus    *jetstream.Bus
	engine *fulfillment.Engine
	relay  *outbox.Relay
	subs   []subscribers.Subscriber
	logger *slog.Logger
}

// startPipeline opens JetStream and DBOS and builds the relay that feeds
// both from the outbox.
// purge, when not nil, drops cached catalog copies (surrogate keys) on
// product.changed; a worker has no caches of its own and passes nil.
func startPipeline(ctx context.Context, cfg Config, st *sqlstore.Store, gw payment.Gateway, purge func(keys ...string), logger *slog.Logger) (*pipeline, error) {
	p := &pipeline{logger: logger}
	// Setting up the streams is short and bounded; a SIGTERM arriving
	// meanwhile is honoured by Run, which then stops what was built in
	// order, rather than by failing the start half-way.
	openCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	var err error
	if p.bus, err = jetstream.Open(openCtx, jetstream.Config{URL: cfg.Pipeline.NATS, StoreDir: filepath.Join(cfg.DataDir, "nats"), Logger: logger,
		Tracing: cfg.Pipeline.tracing}); err != nil {
		return nil, err
	}
	p.engine, err = fulfillment.New(ctx, fulfillment.Config{SystemDB: workflowDB(cfg), Schema: workflowSchema(cfg.DSN()),
		AppVersion: cfg.Pipeline.AppVersion, PaymentRate: cfg.Pipeline.PaymentRate, PaymentConcurrency: cfg.Pipeline.PaymentConcurrency,
		Provider: cfg.Payments.provider()},
		st, gw, &fulfillment.SimCarrier{}, logger)
	if err != nil {
		_ = p.bus.Close()
		return nil, err
	}
	if p.subs, err = pipelineSubscribers(cfg, st, purge, logger); err != nil {
		return nil, errors.Join(err, p.bus.Close(), p.engine.Shutdown(10*time.Second))
	}
	publish := func(ctx context.Context, evs []event.Event) error { return p.bus.Publish(ctx, evs...) }
	p.relay = outbox.New(st, outbox.Config{}, logger, publish, p.engine.Start)
	return p, nil
}

// run relays and handles subscribers' events until ctx ends; the returned
// func stops everything in order: the relay (nothing new is enqueued or
// published), the subscribers (handlers in flight finish and ack), the bus,
// DBOS last. A subscriber whose consumer cannot be created is logged and
// left out: the others, and its events waiting in the stream, are unharmed.
func (p *pipeline) run(ctx context.Context) func() error {
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); p.relay.Run(rctx) }()
	var stops []func()
	for _, s := range p.subs {
		stop, err := p.bus.Subscribe(rctx, jetstream.Subscription{Name: s.Name, Types: s.Types, Handler: s.Handler})
		if err != nil {
			p.logger.ErrorContext(ctx, "subscriber not started", "consumer", s.Name, "err", err)
			continue
		}
		stops = append(stops, stop)
	}
	return func() error {
		cancel()
		<-done
		for _, stop := range stops {
			stop()
		}
		return errors.Join(p.bus.Close(), p.engine.Shutdown(10*time.Second))
	}
}

// pipelineSubscribers binds the subscribers to the store, the mailer (a
// folder under <data>/mail, or --smtp) and the app's cache purge.
func pipelineSubscribers(cfg Config, st *sqlstore.Store, purge func(keys ...string), logger *slog.Logger) ([]subscribers.Subscriber, error) {
	var m subscribers.Mailer = mailer.Dir{Path: filepath.Join(cfg.DataDir, "mail")}
	if cfg.Pipeline.SMTP != "" {
		m = mailer.SMTP{Addr: cfg.Pipeline.SMTP}
	}
	from := cfg.Pipeline.MailFrom
	if from == "" {
		from = "orders@peakshop.local"
	}
	d := subscribers.Deps{Ledger: st, Orders: st, Mailer: m, From: from, Logger: logger}
	if purge != nil {
		d.Purge = func(_ context.Context, productID string) error {
			purge("catalog", "product-"+productID)
			return nil
		}
	}
	return subscribers.All(d)
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
