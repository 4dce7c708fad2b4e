package chaos

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// The events fill_queue publishes. They copy the envelope and subject of
// internal/messaging/jetstream (a test checks they stay in step) instead of
// importing it, because its Publish takes the domain's event type and this
// package stands beside the shop. product.changed with a "chaos-" key is
// harmless: the cache-purge subscriber purges a product that does not exist.
const (
	fillSubject = "peakshop.events.product.changed"
	fillType    = "product.changed"
)

// fillEvent is the JSON envelope the shop's subscribers decode.
type fillEvent struct {
	ID         string    `json:"id"`
	Type       string    `json:"type"`
	Key        string    `json:"key"`
	OccurredAt time.Time `json:"occurred_at"`
}

// fillQueue publishes count synthetic product.changed events to JetStream
// at url and waits until every one is stored.
func fillQueue(ctx context.Context, url string, count int) (string, error) {
	started := time.Now()
	nc, err := nats.Connect(url, nats.Name("peakshop-chaos"), nats.Timeout(5*time.Second))
	if err != nil {
		return "", fmt.Errorf("connect %s: %w", url, err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(4096))
	if err != nil {
		return "", err
	}
	run := started.UTC().Format("20060102T150405.000000000")
	pending := make([]jetstream.PubAckFuture, 0, 1024)
	wait := func() error {
		for _, f := range pending {
			select {
			case <-f.Ok():
			case err := <-f.Err():
				return fmt.Errorf("publish: %w", err)
			case <-ctx.Done():
				return context.Cause(ctx)
			}
		}
		pending = pending[:0]
		return nil
	}
	for n := range count {
		e := fillEvent{ID: fmt.Sprintf("chaos-%s-%d", run, n), Type: fillType, Key: fmt.Sprintf("chaos-%d", n), OccurredAt: time.Now().UTC()}
		data, err := json.Marshal(e)
		if err != nil {
			return "", err
		}
		m := nats.NewMsg(fillSubject)
		m.Data = data
		f, err := js.PublishMsgAsync(m, jetstream.WithMsgID(e.ID))
		if err != nil {
			return "", fmt.Errorf("publish: %w", err)
		}
		if pending = append(pending, f); len(pending) == cap(pending) {
			if err := wait(); err != nil {
				return "", err
			}
		}
	}
	if err := wait(); err != nil {
		return "", err
	}
	return fmt.Sprintf("%d events stored in %s; they drain through the subscribers", count, time.Since(started).Round(time.Millisecond)), nil
}
