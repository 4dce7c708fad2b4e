// Package outbox owns the relay that moves domain events from the database's
// outbox table to where they go next (JetStream, the workflow starter). The
// checkout writes an event in the same transaction as the order; the relay
// reads events in batches, hands each batch to every sink and only then
// deletes it. A relay killed between a sink and the delete hands the batch
// over again: every sink is idempotent on event ids (JetStream's message-id
// deduplication, workflow id = order id), so nothing is lost or doubled.
//
// Tracing: each row keeps the W3C trace context and baggage of the request
// that wrote it, and the relay hands the batch to its sinks with every
// event's own context (platform/msgtrace), so the publish continues the
// checkout's trace as a child span rather than linking to it: the events of
// one checkout have one cause, and one trace from the edge to the last
// subscriber is what the console draws; the gap between the checkout's end
// and the publish is the outbox's latency, shown as it is. The relay makes
// no span of its own: a batch mixes many requests and belongs to none.
package outbox

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/peakshop/peakshop/internal/domain/event"
	"github.com/peakshop/peakshop/internal/platform/msgtrace"
	"github.com/peakshop/peakshop/internal/storage/sqlstore"
)

// Source is the outbox table.
type Source interface {
	UnsentEvents(ctx context.Context, limit int) ([]sqlstore.OutboxRow, error)
	MarkSent(ctx context.Context, seqs []int64) error
}

// Sink receives a batch of events; it must be idempotent on event ids.
type Sink func(ctx context.Context, events []event.Event) error

// Config tunes a Relay.
type Config struct {
	// Batch is the most events read and handed over at once (default 512).
	Batch int
	// Idle is how long the relay waits after finding the outbox empty
	// (default 20ms): the latency added to an event at rest.
	Idle time.Duration
	// MaxBackoff caps the wait after a failing sink (default 5s).
	MaxBackoff time.Duration
}

// Relay drains the outbox into its sinks.
type Relay struct {
	src    Source
	sinks  []Sink
	cfg    Config
	logger *slog.Logger
}

// New returns a relay over src handing events to every sink, in order.
func New(src Source, cfg Config, logger *slog.Logger, sinks ...Sink) *Relay {
	if cfg.Batch <= 0 {
		cfg.Batch = 512
	}
	if cfg.Idle <= 0 {
		cfg.Idle = 20 * time.Millisecond
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 5 * time.Second
	}
	return &Relay{src: src, sinks: sinks, cfg: cfg, logger: logger}
}

// Once relays one batch and reports how many events it moved.
func (r *Relay) Once(ctx context.Context) (int, error) {
	rows, err := r.src.UnsentEvents(ctx, r.cfg.Batch)
	if err != nil || len(rows) == 0 {
		return 0, err
	}
	events := make([]event.Event, len(rows))
	seqs := make([]int64, len(rows))
	var traces map[string]msgtrace.Headers
	for i, row := range rows {
		events[i], seqs[i] = row.Event, row.Seq
		if h := msgtrace.Parse(row.Trace); h != nil {
			if traces == nil {
				traces = make(map[string]msgtrace.Headers, len(rows))
			}
			traces[row.Event.ID] = h
		}
	}
	// Each event goes on in the trace of the request that recorded it (see
	// the package doc); the batch itself belongs to no request.
	ctx = msgtrace.WithBatch(ctx, traces)
	for _, sink := range r.sinks {
		if err := sink(ctx, events); err != nil {
			return 0, fmt.Errorf("outbox: relay %d events: %w", len(events), err)
		}
	}
	if err := r.src.MarkSent(ctx, seqs); err != nil {
		return 0, fmt.Errorf("outbox: mark %d events sent: %w", len(seqs), err)
	}
	return len(rows), nil
}

// Run relays until ctx ends. Failures are logged and retried with backoff:
// the events wait safely in the table meanwhile.
func (r *Relay) Run(ctx context.Context) {
	backoff := r.cfg.Idle
	for {
		n, err := r.Once(ctx)
		wait := time.Duration(0)
		switch {
		case err != nil && ctx.Err() == nil:
			r.logger.WarnContext(ctx, "outbox relay failed; retrying", "err", err, "in", backoff)
			wait = backoff
			backoff = min(backoff*2, r.cfg.MaxBackoff)
		case n < r.cfg.Batch:
			wait, backoff = r.cfg.Idle, r.cfg.Idle
		default:
			backoff = r.cfg.Idle
		}
		if wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
		} else if ctx.Err() != nil {
			return
		}
	}
}
