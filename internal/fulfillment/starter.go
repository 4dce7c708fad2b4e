package fulfillment

import (
	"context"
	"fmt"

	"github.com/dbos-inc/dbos-transact-golang/dbos"

	"github.com/peakshop/peakshop/internal/domain/event"
	"github.com/peakshop/peakshop/internal/platform/msgtrace"
)

// Start is the outbox relay's sink that starts workflows: order.placed of a
// queued checkout goes to the rate-limited payments queue, order.paid of a
// synchronous one to the fulfillment queue. The workflow id is the order
// id, so a batch handed over twice (a relay killed before it marked the
// batch sent) starts nothing twice.
func (e *Engine) Start(ctx context.Context, events []event.Event) error {
	type start struct {
		in    Input
		queue string
	}
	var starts []start
	for _, ev := range events {
		if ev.Type != event.OrderPlaced && ev.Type != event.OrderPaid {
			continue
		}
		var d event.OrderData
		if err := ev.Decode(&d); err != nil {
			return err
		}
		// The checkout's trace context and synthetic marker, as the outbox
		// kept them with the event, go with the workflow (see Input.Trace).
		trace := msgtrace.Capture(msgtrace.Context(ctx, ev.ID))
		switch {
		case ev.Type == event.OrderPlaced && d.Queued:
			starts = append(starts, start{Input{OrderID: d.OrderID, Queued: true, Trace: trace}, PaymentsQueue})
		case ev.Type == event.OrderPaid && !d.Queued:
			starts = append(starts, start{Input{OrderID: d.OrderID, Trace: trace}, FulfillmentQueue})
		}
	}
	if len(starts) == 0 {
		return nil
	}
	enqueue := func(opts ...dbos.EnqueueOption) error {
		for _, s := range starts {
			o := append([]dbos.EnqueueOption{dbos.WithEnqueueWorkflowID(s.in.OrderID), dbos.WithEnqueueApplicationVersion(e.cfg.AppVersion)}, opts...)
			if _, err := dbos.Enqueue[Outcome](e.ctx, s.queue, workflowName, s.in, o...); err != nil {
				return fmt.Errorf("fulfillment: enqueue %s: %w", s.in.OrderID, err)
			}
		}
		return nil
	}
	if e.sqlite == nil {
		return enqueue()
	}
	// One transaction for the batch: on SQLite the commit is the cost.
	tx, err := e.sqlite.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("fulfillment: begin enqueue: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if err := enqueue(dbos.WithEnqueueTransaction(tx)); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("fulfillment: commit enqueue: %w", err)
	}
	return nil
}
