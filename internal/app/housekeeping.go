package app

import (
	"context"
	"flag"
	"log/slog"
	"time"
)

// housekeepingTick is how often old rows are swept. Hourly keeps each sweep
// small (an hour of expired sessions and keys) even at peak.
const housekeepingTick = time.Hour

// HousekeepingConfig says how long rows that only guard against repeats
// are kept.
type HousekeepingConfig struct {
	// IdempotencyKeys is how long a finished checkout's key answers a retry
	// with the first result; after it the same key starts a new checkout.
	IdempotencyKeys time.Duration
	// ProcessedEvents is how long a subscriber remembers an event it
	// handled. It must outlast the event stream's retention (7 days), or a
	// consumer replaying the stream would act on an event twice.
	ProcessedEvents time.Duration
	// Carts is how long a cart nobody points at (no account, no live
	// session) is kept after its last change: guest and API carts,
	// abandoned or checked out, and every load rehearsal's.
	Carts time.Duration
}

// DefaultHousekeeping keeps keys a day, as payment providers do,
// processed events a day longer than the stream keeps its events, and
// unreferenced carts 30 days, as long as a shopper's session lives.
func DefaultHousekeeping() HousekeepingConfig {
	return HousekeepingConfig{IdempotencyKeys: 24 * time.Hour, ProcessedEvents: 8 * 24 * time.Hour, Carts: 30 * 24 * time.Hour}
}

// HousekeepingFlags registers the retention flags of `peakshop serve`.
func (c *HousekeepingConfig) HousekeepingFlags(fs *flag.FlagSet) {
	fs.DurationVar(&c.IdempotencyKeys, "keep-idempotency-keys", c.IdempotencyKeys, "how long a finished checkout's idempotency key replays its result")
	fs.DurationVar(&c.ProcessedEvents, "keep-processed-events", c.ProcessedEvents, "how long subscribers remember handled events (keep above the event stream's 7-day retention)")
	fs.DurationVar(&c.Carts, "keep-carts", c.Carts, "how long a cart no account or live session points at is kept after its last change")
}

// pruner is what housekeeping deletes from.
type pruner interface {
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error)
	PruneIdempotencyKeys(ctx context.Context, before time.Time) (int, error)
	PruneProcessedEvents(ctx context.Context, before time.Time) (int, error)
	PruneCarts(ctx context.Context, before time.Time) (int, error)
}

// housekeeping deletes expired sessions, old finished idempotency keys, old
// processed-event records and old carts nobody points at, which otherwise
// grow with every visitor, checkout and event. Every instance runs it: the
// deletes are idempotent and batched (sqlstore/housekeeping.go), so two
// instances sweeping at once only share the work.
type housekeeping struct {
	cfg    HousekeepingConfig
	store  pruner
	now    func() time.Time
	logger *slog.Logger
}

// sweep runs every deletion once; a failing one does not stop the others.
func (h *housekeeping) sweep(ctx context.Context) {
	now := h.now()
	jobs := []struct {
		what string
		run  func() (int, error)
	}{
		{"expired sessions", func() (int, error) { return h.store.DeleteExpiredSessions(ctx, now) }},
		{"idempotency keys", func() (int, error) { return h.store.PruneIdempotencyKeys(ctx, now.Add(-h.cfg.IdempotencyKeys)) }},
		{"processed events", func() (int, error) { return h.store.PruneProcessedEvents(ctx, now.Add(-h.cfg.ProcessedEvents)) }},
		// After the sessions: a cart an expired session held is free now.
		{"carts", func() (int, error) { return h.store.PruneCarts(ctx, now.Add(-h.cfg.Carts)) }},
	}
	for _, j := range jobs {
		n, err := j.run()
		switch {
		case err != nil && ctx.Err() == nil:
			h.logger.ErrorContext(ctx, "housekeeping", "rows", j.what, "deleted", n, "err", err)
		case n > 0:
			h.logger.InfoContext(ctx, "housekeeping", "rows", j.what, "deleted", n)
		}
	}
}

// runHousekeeping sweeps a minute after start (not during a restart's
// recovery rush) and then every tick, until the returned stop is called.
func (a *App) runHousekeeping(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	cfg, def := a.cfg.Housekeeping, DefaultHousekeeping()
	// A Config built by hand has zeros, which would drop every key and
	// record at once: zero means the default.
	if cfg.IdempotencyKeys <= 0 {
		cfg.IdempotencyKeys = def.IdempotencyKeys
	}
	if cfg.ProcessedEvents <= 0 {
		cfg.ProcessedEvents = def.ProcessedEvents
	}
	if cfg.Carts <= 0 {
		cfg.Carts = def.Carts
	}
	h := &housekeeping{cfg: cfg, store: a.Store, now: time.Now, logger: a.logger.With("component", "housekeeping")}
	done := make(chan struct{})
	go func() {
		defer close(done)
		next := time.NewTimer(time.Minute)
		defer next.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-next.C:
				h.sweep(ctx)
				next.Reset(housekeepingTick)
			}
		}
	}()
	return func() { cancel(); <-done }
}
