package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/peakshop/peakshop/internal/messaging/jetstream"
)

// RunWorker runs the order pipeline alone (outbox relay, fulfillment
// workflows, subscribers) against the configured database and NATS until
// ctx ends, so shops and workers scale and fail apart. It serves no HTTP and
// has no caches, so it runs no cache purge: serving processes do.
func RunWorker(ctx context.Context, cfg Config, logger *slog.Logger) (err error) {
	st, err := OpenStore(ctx, cfg.DSN(), cfg.Currency, logger)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, st.Close()) }()
	if cfg.Migrate {
		if err := st.Migrate(ctx); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
	}
	pay, err := openPayments(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, pay.close()) }()
	ctl, err := startChaosControl(cfg, nil, pay.sim, logger)
	if err != nil {
		return err
	}
	defer ctl.close()
	p, err := startPipeline(ctx, cfg, st, pay.gateway, nil, logger)
	if err != nil {
		return err
	}
	metrics, err := startWorkerMetrics(cfg.WorkerMetricsAddr, p.bus, cfg.Telemetry.ScrapeCacheTTL, logger)
	if err != nil {
		return errors.Join(err, p.bus.Close(), p.engine.Shutdown(10*time.Second))
	}
	defer metrics.close()
	stop := p.run(context.WithoutCancel(ctx))
	logger.InfoContext(ctx, "peakshop worker running", "config", cfg.String())
	<-ctx.Done()
	logger.Info("worker stopping: relay, subscribers, bus, workflows")
	return stop()
}

// WorkerFlags registers the flags of `peakshop worker`.
func (c *Config) WorkerFlags(fs *flag.FlagSet) {
	c.StorageFlags(fs)
	fs.BoolVar(&c.Migrate, "migrate", c.Migrate, "apply database migrations at start")
	fs.DurationVar(&c.PaymentLatency, "payment-latency", c.PaymentLatency, "latency the payment simulator adds to each call")
	fs.Float64Var(&c.PaymentFailureRate, "payment-failure-rate", c.PaymentFailureRate, "share (0-1) of payment simulator calls that fail")
	c.paymentLedgerFlag(fs)
	c.PaymentsFlags(fs)
	c.PipelineFlags(fs)
	c.ChaosFlags(fs)
	fs.StringVar(&c.WorkerMetricsAddr, "metrics-addr", c.WorkerMetricsAddr, "address of the worker's /metrics and /healthz for Prometheus (e.g. :9090); empty for none")
}

// WorkflowDB is DBOS's database for this configuration, for the commands
// that inspect workflows (`peakshop orders`).
func (c Config) WorkflowDB() string { return workflowDB(c) }

// WorkflowSchema is DBOS's schema on PostgreSQL for this configuration.
func (c Config) WorkflowSchema() string { return workflowSchema(c.DSN()) }

// OpenBus connects to the configured JetStream: the external server given
// by --nats, or the embedded one over <data>/nats. The embedded store has
// one owner at a time, so against a running embedded shop the commands need
// --nats (or the shop stopped).
func (c Config) OpenBus(ctx context.Context, logger *slog.Logger) (*jetstream.Bus, error) {
	return jetstream.Open(ctx, jetstream.Config{URL: c.Pipeline.NATS, StoreDir: filepath.Join(c.DataDir, "nats"), Logger: logger})
}
