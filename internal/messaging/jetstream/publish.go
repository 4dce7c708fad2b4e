package jetstream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/peakshop/peakshop/internal/domain/event"
)

var _ event.Publisher = (*Bus)(nil)

// Subject is where an event of type t is published.
func Subject(t event.Type) string { return eventsPrefix + string(t) }

// Publish stores events in the events stream, with each event id as the
// message id so a republish is dropped as a duplicate. Publishes are
// pipelined and Publish returns once every one is acknowledged (stored).
func (b *Bus) Publish(ctx context.Context, events ...event.Event) error {
	futures := make([]jetstream.PubAckFuture, 0, len(events))
	for _, e := range events {
		data, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("jetstream: encode %s: %w", e.ID, err)
		}
		m := nats.NewMsg(Subject(e.Type))
		m.Data = data
		f, err := b.js.PublishMsgAsync(m, jetstream.WithMsgID(e.ID))
		if err != nil {
			return fmt.Errorf("jetstream: publish %s: %w", e.ID, err)
		}
		futures = append(futures, f)
	}
	var errs []error
	for _, f := range futures {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			errs = append(errs, err)
		case <-ctx.Done():
			return fmt.Errorf("jetstream: publish: %w", ctx.Err())
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("jetstream: publish: %w", err)
	}
	return nil
}
