// Package fulfillment owns the durable order workflow, run by DBOS Transact:
// one workflow per order (workflow id = order id) that charges a queued
// order, allocates it to a warehouse, ships it and hands the shipped event
// to the outbox; or, when a step finally fails, refunds and releases stock
// and leaves the order cancelled with a reason. DBOS checkpoints each step,
// so after a crash the workflow resumes at the step it was in.
//
// DBOS keeps its state apart from the shop's: its own SQLite file in the
// embedded default (SQLite has one writer, and each workflow adds several
// write transactions), its own schema on PostgreSQL. DBOS steps are
// at-least-once, so every external call carries an idempotency key of the
// order id and the step, and every database step is conditional on the
// order's status.
package fulfillment

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/dbos-inc/dbos-transact-golang/dbos"

	"github.com/peakshop/peakshop/internal/domain/money"
	"github.com/peakshop/peakshop/internal/domain/order"
	"github.com/peakshop/peakshop/internal/domain/payment"
	"github.com/peakshop/peakshop/internal/storage/sqlstore"
)

// Store is what the workflow needs from the shop's database.
type Store interface {
	Order(ctx context.Context, id string) (order.Order, error)
	PaymentToken(ctx context.Context, orderID string) (string, error)
	FinishCheckout(ctx context.Context, s order.Settlement) error
	Charge(ctx context.Context, orderID string) (string, money.Money, error)
	Allocate(ctx context.Context, orderID, warehouse string, now time.Time) error
	MarkShipped(ctx context.Context, orderID, tracking string, now time.Time) error
	MarkNotified(ctx context.Context, orderID string, now time.Time) error
	CancelPaid(ctx context.Context, orderID, reason string, refund *sqlstore.Refund, now time.Time) error
}

// Carrier books shipments. The key makes a repeated booking return the
// first one.
type Carrier interface {
	Ship(ctx context.Context, key, orderID, warehouse string, to order.Address) (tracking string, err error)
}

// Config configures the engine.
type Config struct {
	// SystemDB is DBOS's database: "sqlite:PATH" or a postgres:// URL.
	SystemDB string
	// Schema is DBOS's schema on PostgreSQL (default "peakshop_dbos").
	Schema string
	// AppVersion is DBOS's application version. Queues only run work of the
	// current version, so it is fixed rather than DBOS's default binary
	// hash, which would strand the backlog at every release.
	AppVersion string
	// Provider names the gateway in payment records.
	Provider string
	// PaymentRate and PaymentConcurrency limit the queued charges: the rate
	// per second the provider allows and the charges in flight per worker.
	PaymentRate        float64
	PaymentConcurrency int
	// Concurrency caps fulfillment workflows running per worker.
	Concurrency int
	// StepTimeout bounds one external call (default 10s).
	StepTimeout time.Duration
	// Retries is how often a failing step is retried (default 6), with
	// backoff from 200ms doubling up to 10s.
	Retries    int
	Warehouses []string
	// Poll is how often DBOS polls its queues (default 100ms).
	Poll time.Duration
}

// Engine runs the workflows.
type Engine struct {
	cfg     Config
	ctx     dbos.Context
	store   Store
	gateway payment.Gateway
	carrier Carrier
	logger  *slog.Logger
	closeDB func() error
	// sqlite is DBOS's own SQLite handle (nil on PostgreSQL): the starter
	// enqueues a whole batch of workflows in one transaction on it.
	sqlite *sql.DB
}

// Queue names.
const (
	PaymentsQueue    = "peakshop-payments"
	FulfillmentQueue = "peakshop-fulfillment"
	workflowName     = "peakshop.fulfil-order"
)

func (c *Config) defaults() {
	if c.Schema == "" {
		c.Schema = "peakshop_dbos"
	}
	if c.AppVersion == "" {
		c.AppVersion = "peakshop-1"
	}
	if c.PaymentRate <= 0 {
		c.PaymentRate = 200
	}
	if c.PaymentConcurrency <= 0 {
		c.PaymentConcurrency = 16
	}
	if c.Concurrency <= 0 {
		c.Concurrency = 32
	}
	if c.StepTimeout <= 0 {
		c.StepTimeout = 10 * time.Second
	}
	if c.Retries <= 0 {
		c.Retries = 6
	}
	if len(c.Warehouses) == 0 {
		c.Warehouses = []string{"wh-east", "wh-west"}
	}
	if c.Poll <= 0 {
		c.Poll = 100 * time.Millisecond
	}
	if c.Provider == "" {
		c.Provider = "simulator"
	}
}

// New builds and launches the engine: DBOS recovers this executor's
// unfinished workflows at launch, so it must be built after the store and
// gateway are ready.
func New(ctx context.Context, cfg Config, store Store, gateway payment.Gateway, carrier Carrier, logger *slog.Logger) (*Engine, error) {
	cfg.defaults()
	e := &Engine{cfg: cfg, store: store, gateway: gateway, carrier: carrier, logger: logger}
	dcfg := dbos.Config{AppName: "peakshop", ApplicationVersion: cfg.AppVersion, Logger: logger.With("component", "dbos"),
		DatabaseSchema: cfg.Schema}
	closeDB, err := e.systemDB(&dcfg)
	if err != nil {
		return nil, err
	}
	e.closeDB = closeDB
	if e.ctx, err = dbos.NewContext(context.WithoutCancel(ctx), dcfg); err != nil {
		_ = closeDB()
		return nil, fmt.Errorf("fulfillment: dbos: %w", err)
	}
	dbos.RegisterWorkflow(e.ctx, e.fulfil, dbos.WithWorkflowName(workflowName))
	if err := e.registerQueues(); err != nil {
		_ = e.Shutdown(5 * time.Second)
		return nil, err
	}
	if err := e.ctx.Launch(); err != nil {
		_ = e.Shutdown(5 * time.Second)
		return nil, fmt.Errorf("fulfillment: launch dbos: %w", err)
	}
	return e, nil
}

func (e *Engine) registerQueues() error {
	always := dbos.WithQueueOnConflict(dbos.QueueConflictAlwaysUpdate)
	poll := dbos.WithQueueBasePollingInterval(e.cfg.Poll)
	if _, err := dbos.RegisterQueue(e.ctx, PaymentsQueue, always, poll, dbos.WithWorkerConcurrency(e.cfg.PaymentConcurrency),
		dbos.WithRateLimiter(&dbos.RateLimiter{Limit: max(int(e.cfg.PaymentRate), 1), Period: time.Second})); err != nil {
		return fmt.Errorf("fulfillment: queue %s: %w", PaymentsQueue, err)
	}
	if _, err := dbos.RegisterQueue(e.ctx, FulfillmentQueue, always, poll, dbos.WithWorkerConcurrency(e.cfg.Concurrency)); err != nil {
		return fmt.Errorf("fulfillment: queue %s: %w", FulfillmentQueue, err)
	}
	return nil
}

// Shutdown stops DBOS (workflows in flight stop at their next step and are
// recovered at the next launch) and then closes its database. It runs after
// everything that enqueues work has stopped.
func (e *Engine) Shutdown(timeout time.Duration) error {
	err := dbos.Shutdown(e.ctx, timeout)
	if cerr := e.closeDB(); cerr != nil && err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("fulfillment: shutdown: %w", err)
	}
	return nil
}
