package jetstream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.opentelemetry.io/otel/trace"

	"github.com/peakshop/peakshop/internal/domain/event"
)

var _ event.Publisher = (*Bus)(nil)

// errPublishAbandoned marks the span of a message whose acknowledgement
// was not awaited (the batch failed or its context ended first).
var errPublishAbandoned = errors.New("publish abandoned")

// Subject is where an event of type t is published.
func Subject(t event.Type) string { return eventsPrefix + string(t) }

// Publish stores events in the events stream, with each event id as the
// message id so a republish is dropped as a duplicate. Publishes are
// pipelined and Publish returns once every one is acknowledged (stored).
//
// Each message carries its trace context in W3C headers (traceparent,
// tracestate, baggage; see trace.go): the context of the request that
// recorded the event when ctx holds the outbox batch's (msgtrace), else
// ctx's own.
func (b *Bus) Publish(ctx context.Context, events ...event.Event) error {
	futures := make([]jetstream.PubAckFuture, 0, len(events))
	spans := make([]trace.Span, 0, len(events))
	ended := 0 // spans[:ended] are ended; the rest are ended as abandoned on an early return
	defer func() {
		for _, s := range spans[ended:] {
			endSpan(s, errPublishAbandoned)
		}
	}()
	for _, e := range events {
		data, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("jetstream: encode %s: %w", e.ID, err)
		}
		m := nats.NewMsg(Subject(e.Type))
		m.Data = data
		spans = append(spans, b.startPublish(ctx, e.ID, m.Subject, m.Header))
		f, err := b.js.PublishMsgAsync(m, jetstream.WithMsgID(e.ID))
		if err != nil {
			return fmt.Errorf("jetstream: publish %s: %w", e.ID, err)
		}
		futures = append(futures, f)
	}
	var errs []error
	for i, f := range futures {
		select {
		case <-f.Ok():
			endSpan(spans[i], nil)
		case err := <-f.Err():
			endSpan(spans[i], err)
			errs = append(errs, err)
		case <-ctx.Done():
			return fmt.Errorf("jetstream: publish: %w", ctx.Err())
		}
		ended = i + 1
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("jetstream: publish: %w", err)
	}
	return nil
}
