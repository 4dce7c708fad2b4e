package chaos

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/peakshop/peakshop/internal/domain/event"
	"github.com/peakshop/peakshop/internal/messaging/jetstream"
)

// natsServer runs a JetStream server on a loopback port for one test.
func natsServer(tb testing.TB) string {
	tb.Helper()
	ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: tb.TempDir(),
		NoSigs: true, NoLog: true, JetStreamMaxMemory: 64 << 20})
	if err != nil {
		tb.Fatal(err)
	}
	ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		tb.Fatal("nats server did not start")
	}
	tb.Cleanup(ns.Shutdown)
	return ns.ClientURL()
}

// The test may import the shop's adapter and domain (the package may not):
// it checks that what fill_queue publishes is what the shop's subscribers
// decode, on the subject they listen to.
func TestFillQueueReachesTheShopsSubscribers(t *testing.T) {
	if got := jetstream.Subject(event.ProductChanged); got != fillSubject {
		t.Fatalf("fill_queue publishes on %q, the shop on %q", fillSubject, got)
	}
	url := natsServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	bus, err := jetstream.Open(ctx, jetstream.Config{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	defer bus.Close()

	const n = 1500
	var mu sync.Mutex
	keys := map[string]bool{}
	all := make(chan struct{})
	stop, err := bus.Subscribe(ctx, jetstream.Subscription{Name: "test-purge", Types: []event.Type{event.ProductChanged},
		Handler: func(_ context.Context, e event.Event) error {
			mu.Lock()
			defer mu.Unlock()
			if e.Type != event.ProductChanged || !strings.HasPrefix(e.ID, "chaos-") || !strings.HasPrefix(e.Key, "chaos-") || e.OccurredAt.IsZero() {
				t.Errorf("odd event %+v", e)
			}
			keys[e.Key] = true
			if len(keys) == n {
				close(all)
			}
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer stop()

	exp := mustParse(t, `{"faults":[{"kind":"fill_queue","count":1500}]}`)
	res, err := Run(ctx, exp, Targets{NATSURL: url}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !hasEvent(res.Events, "fill_queue", "queue", PhaseInject) || !hasEvent(res.Events, "fill_queue", "queue", PhaseUndo) {
		t.Errorf("events: %v", phases(res.Events))
	}
	for _, e := range res.Events {
		if e.Phase == PhaseUndo {
			t.Log(e.Detail)
		}
	}
	select {
	case <-all:
	case <-ctx.Done():
		mu.Lock()
		t.Fatalf("subscriber saw %d of %d events", len(keys), n)
	}
	info, err := bus.JetStream().Stream(ctx, jetstream.EventsStream)
	if err != nil {
		t.Fatal(err)
	}
	if got := info.CachedInfo().State.Msgs; got != n {
		t.Errorf("stream holds %d messages, want %d", got, n)
	}
}
