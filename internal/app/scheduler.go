package app

import (
	"context"
	"log/slog"
	"strconv"
	"time"

	"github.com/peakshop/peakshop/internal/domain/catalog"
)

// schedulerTick is how often the sale scheduler looks for due changes: a
// price change at 18:00:00 is live by 18:00:05 on every instance.
const schedulerTick = 5 * time.Second

// scheduler applies the sale scheduler's due changes (price changes, their
// reverts, product launches). Every instance runs one: the store's ApplyDue
// claims each change in the transaction that applies it (a conditional
// UPDATE from pending, with FOR UPDATE SKIP LOCKED on PostgreSQL), so however
// many instances race, each change is applied once, together with its
// product.changed event. The instance that applied a change also purges its
// own cached copies at once; the others learn of it through that event.
type scheduler struct {
	store  catalog.Schedule
	purge  func(keys ...string)
	now    func() time.Time
	logger *slog.Logger
}

// runOnce applies every change due now and returns how many it applied.
func (s *scheduler) runOnce(ctx context.Context) (int, error) {
	n := 0
	for ctx.Err() == nil {
		c, ok, err := s.store.ApplyDue(ctx, s.now())
		if err != nil || !ok {
			return n, err
		}
		n++
		s.logger.InfoContext(ctx, "scheduled change applied", "change_id", c.ID, "kind", c.Kind,
			"product_id", c.ProductID, "status", c.Status, "outcome", c.Outcome)
		if s.purge != nil {
			// A launch changes listings and category counts too.
			s.purge("catalog", "storefront", "product-"+strconv.FormatInt(c.ProductID, 10))
		}
	}
	return n, ctx.Err()
}

// run applies due changes every tick until ctx ends.
func (s *scheduler) run(ctx context.Context, tick time.Duration) {
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		if _, err := s.runOnce(ctx); err != nil && ctx.Err() == nil {
			s.logger.ErrorContext(ctx, "sale scheduler", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// runScheduler starts the sale scheduler and returns the function that
// stops it and waits for it.
func (a *App) runScheduler(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	s := &scheduler{store: a.Store, purge: a.purgeCatalog, now: time.Now, logger: a.logger.With("component", "scheduler")}
	done := make(chan struct{})
	go func() { defer close(done); s.run(ctx, schedulerTick) }()
	return func() { cancel(); <-done }
}
