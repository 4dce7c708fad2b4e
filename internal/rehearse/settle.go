package rehearse

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/peakshop/peakshop/internal/messaging/jetstream"
	"github.com/peakshop/peakshop/internal/storage/sqlstore"
)

// drain waits, up to limit, until every order of the run is settled and the
// outbox is empty: the pipeline has caught up with what the load and the
// faults left it. It reports progress every few seconds and never fails;
// what is still open at the end is the audit's to judge.
func drain(ctx context.Context, st *sqlstore.Store, since time.Time, limit time.Duration, say func(string, ...any)) Drain {
	start := time.Now()
	deadline := start.Add(limit)
	var d Drain
	var said time.Time
	for {
		open, outbox, err := pending(ctx, st, since)
		d.Unsettled, d.Outbox = open, outbox
		if err == nil && open == 0 && outbox == 0 {
			d.Settled = true
			break
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			break
		}
		if time.Since(said) >= 5*time.Second {
			say("draining: %d orders not settled, %d events in the outbox (%.0fs of at most %s)", open, outbox, time.Since(start).Seconds(), limit)
			said = time.Now()
		}
		select {
		case <-ctx.Done():
		case <-time.After(500 * time.Millisecond):
		}
	}
	d.Seconds = time.Since(start).Seconds()
	if d.Settled {
		say("drained in %.1fs: every order settled, outbox empty", d.Seconds)
	} else {
		say("gave up draining after %.0fs: %d orders not settled, %d events in the outbox", d.Seconds, d.Unsettled, d.Outbox)
	}
	return d
}

func pending(ctx context.Context, st *sqlstore.Store, since time.Time) (open, outbox int, err error) {
	orders, err := st.AuditOrders(ctx, since)
	if err != nil {
		return 0, 0, err
	}
	for _, o := range orders {
		if !settled(o.Status) {
			open++
		}
	}
	outbox, err = st.OutboxBacklog(ctx)
	return open, outbox, err
}

// deadLetters reads the dead letters written since the baseline, straight
// from JetStream (not through a fault link).
func deadLetters(ctx context.Context, natsURL string, since time.Time, logger *slog.Logger) ([]DeadLetter, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	bus, err := jetstream.Open(ctx, jetstream.Config{URL: natsURL, Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("rehearse: dead letters: %w", err)
	}
	defer bus.Close()
	all, err := bus.DeadLetters(ctx, 100_000)
	if err != nil {
		return nil, fmt.Errorf("rehearse: dead letters: %w", err)
	}
	var out []DeadLetter
	for _, d := range all {
		if !d.FailedAt.Before(since) {
			out = append(out, d)
		}
	}
	return out, nil
}
