package subscribers_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/domain/event"
	"github.com/peakshop/peakshop/internal/fulfillment/subscribers"
	"github.com/peakshop/peakshop/internal/messaging/jetstream"
	"github.com/peakshop/peakshop/internal/messaging/jetstream/jstest"
	"github.com/peakshop/peakshop/internal/messaging/mailer"
	"github.com/peakshop/peakshop/internal/messaging/outbox"
)

// A relay killed after the database commit, before or after the publish but
// before it marks the rows sent, loses nothing: the events wait in the
// outbox, a re-run relay publishes them (again, with the same ids, which
// JetStream stores once), and each takes effect once downstream.
func TestRelayKilledBetweenCommitAndPublishLosesNothing(t *testing.T) {
	for name, open := range jstest.Buses(jetstream.Config{}) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			st := stores()["sqlite"](t)
			bus := open(t)
			run := jstest.RunID(t)
			f := newEffects()
			jstest.Subscribe(t, bus, jetstream.Subscription{Name: run, Types: []event.Type{event.OrderPaid},
				Backoff: []time.Duration{50 * time.Millisecond}, Handler: only(run, f.handler(st))})
			evs := make([]event.Event, 60)
			ids := make([]string, len(evs))
			for i := range evs {
				evs[i] = orderEvent(t, run, i, event.OrderPaid)
				ids[i] = evs[i].ID
			}
			if err := st.AppendEvents(ctx, evs...); err != nil { // the commit
				t.Fatal(err)
			}
			publish := func(ctx context.Context, evs []event.Event) error { return bus.Publish(ctx, evs...) }
			killed := errors.New("killed")
			die := func(context.Context, []event.Event) error { return killed }
			cfg := outbox.Config{Batch: 25}

			// Killed before the publish: nothing leaves, nothing is lost.
			if _, err := outbox.New(st, cfg, nil, die, publish).Once(ctx); !errors.Is(err, killed) {
				t.Fatalf("relay before publish: %v", err)
			}
			// Killed after the publish, before the rows are marked sent.
			if _, err := outbox.New(st, cfg, nil, publish, die).Once(ctx); !errors.Is(err, killed) {
				t.Fatalf("relay after publish: %v", err)
			}
			if n, _ := st.OutboxBacklog(ctx); n != len(evs) {
				t.Fatalf("outbox holds %d events after the crashes, want %d", n, len(evs))
			}
			// The re-run relay moves everything.
			rerun := outbox.New(st, cfg, nil, publish)
			for {
				n, err := rerun.Once(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if n == 0 {
					break
				}
			}
			if n, _ := st.OutboxBacklog(ctx); n != 0 {
				t.Fatalf("outbox still holds %d events", n)
			}
			waitFor(t, "every event handled", func() bool { return f.appliedCount() == len(ids) })
			f.check(t, ids)
		})
	}
}

// Under redelivery (the ack lost after the e-mail went out) no e-mail is
// sent twice: the notifications subscriber records what it sent.
func TestNoEmailSentTwiceUnderRedelivery(t *testing.T) {
	for name, open := range jstest.Buses(jetstream.Config{}) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			st := stores()["sqlite"](t)
			bus := open(t)
			run := jstest.RunID(t)
			dir := filepath.Join(t.TempDir(), "mail")
			m := newCountingMailer(mailer.Dir{Path: dir})
			subs, err := subscribers.All(subscribers.Deps{Ledger: st, Orders: orders{}, Mailer: m, From: "shop@example.com"})
			if err != nil {
				t.Fatal(err)
			}
			notify := byName(t, subs, subscribers.Notifications)
			var evs []event.Event
			for i := range 20 {
				for _, typ := range notify.Types {
					evs = append(evs, orderEvent(t, run, i, typ))
				}
			}
			calls := map[string]int{} // read and written by the test goroutine only
			lost := make(chan string, len(evs)*10)
			jstest.Subscribe(t, bus, jetstream.Subscription{Name: run, Types: notify.Types, MaxDeliver: 10,
				Backoff: []time.Duration{10 * time.Millisecond},
				Handler: only(run, func(ctx context.Context, e event.Event) error {
					if err := notify.Handler(ctx, e); err != nil {
						return err
					}
					lost <- e.ID
					return errors.New("ack lost") // so the event comes again
				}), AckWait: 5 * time.Second})
			if err := bus.Publish(ctx, evs...); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "three deliveries of every event", func() bool {
				for {
					select {
					case id := <-lost:
						calls[id]++
					default:
						done := 0
						for _, e := range evs {
							if calls[e.ID] >= 3 {
								done++
							}
						}
						return done == len(evs)
					}
				}
			})
			for _, e := range evs {
				if n := m.count(e.ID); n != 1 {
					t.Errorf("%s: %d e-mails sent", e.ID, n)
				}
			}
			files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
			if len(files) != len(evs) {
				t.Errorf("%d messages in the mail folder, want %d", len(files), len(evs))
			}
		})
	}
}
