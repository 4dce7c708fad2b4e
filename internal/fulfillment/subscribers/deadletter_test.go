package subscribers_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/domain/event"
	"github.com/peakshop/peakshop/internal/fulfillment/subscribers"
	"github.com/peakshop/peakshop/internal/messaging/jetstream"
	"github.com/peakshop/peakshop/internal/messaging/jetstream/jstest"
)

// A poison message goes to the dead-letter stream after the set attempts,
// with its error and attempt count; once the subscriber is fixed, a redrive
// hands it back and it is handled once (a second redrive finds nothing).
func TestPoisonMessageIsDeadLetteredThenRedrivenOnce(t *testing.T) {
	for name, open := range jstest.Buses(jetstream.Config{}) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			st := stores()["sqlite"](t)
			bus := open(t)
			run := jstest.RunID(t)
			subs, err := subscribers.All(subscribers.Deps{Ledger: st})
			if err != nil {
				t.Fatal(err)
			}
			analytics := byName(t, subs, subscribers.Analytics).Handler
			var broken atomic.Bool
			var attempts atomic.Int32
			broken.Store(true)
			jstest.Subscribe(t, bus, jetstream.Subscription{Name: run, Types: []event.Type{event.OrderPaid}, MaxDeliver: 3,
				Backoff: []time.Duration{10 * time.Millisecond}, AckWait: 5 * time.Second,
				Handler: only(run, func(ctx context.Context, e event.Event) error {
					if broken.Load() {
						attempts.Add(1)
						return errors.New("template missing: order.paid")
					}
					return analytics(ctx, e)
				})})
			poison := orderEvent(t, run, 1, event.OrderPaid)
			if err := bus.Publish(ctx, poison); err != nil {
				t.Fatal(err)
			}
			var dl jetstream.DeadLetter
			waitFor(t, "the dead letter", func() bool {
				dls, err := bus.DeadLetters(ctx, 100000)
				if err != nil {
					t.Fatal(err)
				}
				for _, d := range dls {
					if d.EventID == poison.ID {
						dl = d
						return true
					}
				}
				return false
			})
			if dl.Consumer != run || dl.Attempts != 3 || !strings.Contains(dl.Error, "template missing") || attempts.Load() != 3 {
				t.Fatalf("dead letter %+v after %d attempts", dl, attempts.Load())
			}

			broken.Store(false)
			if err := bus.Redrive(ctx, dl.Seq); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "the redriven event", func() bool {
				c, err := st.Counters(ctx)
				return err == nil && c["events.order.paid"] == 1
			})
			if err := bus.Redrive(ctx, dl.Seq); err == nil {
				t.Error("a second redrive of the same dead letter succeeded")
			}
			// Redelivering the handled event itself changes nothing either.
			if err := analytics(ctx, poison); err != nil {
				t.Fatal(err)
			}
			if c, _ := st.Counters(ctx); c["events.order.paid"] != 1 || c["revenue.usd"] != 2500 {
				t.Errorf("counters after redrive: %v", c)
			}
		})
	}
}
