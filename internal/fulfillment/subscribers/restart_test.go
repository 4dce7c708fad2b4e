package subscribers_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/peakshop/peakshop/internal/domain/event"
	"github.com/peakshop/peakshop/internal/fulfillment/subscribers"
	"github.com/peakshop/peakshop/internal/messaging/jetstream"
	"github.com/peakshop/peakshop/internal/messaging/jetstream/jstest"
)

// natsServer runs a JetStream server on loopback that the test can stop and
// start again on the same port and store, as a restarted server would be.
type natsServer struct {
	opts *server.Options
	ns   *server.Server
}

func startNATS(tb testing.TB) *natsServer {
	tb.Helper()
	s := &natsServer{opts: &server.Options{ServerName: "peakshop-test", Host: "127.0.0.1", Port: server.RANDOM_PORT, JetStream: true,
		StoreDir: tb.TempDir(), NoSigs: true, NoLog: true, JetStreamMaxMemory: 64 << 20}}
	s.start(tb)
	s.opts.Port = s.ns.Addr().(*net.TCPAddr).Port
	tb.Cleanup(s.stop)
	return s
}

func (s *natsServer) start(tb testing.TB) {
	tb.Helper()
	ns, err := server.NewServer(s.opts)
	if err != nil {
		tb.Fatal(err)
	}
	ns.Start()
	if !ns.ReadyForConnections(30 * time.Second) {
		tb.Fatal("nats server did not start")
	}
	s.ns = ns
}

func (s *natsServer) stop() {
	s.ns.Shutdown()
	s.ns.WaitForShutdown()
}

func (s *natsServer) url() string { return s.ns.ClientURL() }

// effects counts, per event id, the deliveries a subscriber saw and the
// effects the ledger let through (AddCounters reporting a new event).
type effects struct {
	mu        sync.Mutex
	delivered map[string]int
	applied   map[string]int
}

func newEffects() *effects { return &effects{delivered: map[string]int{}, applied: map[string]int{}} }

func (f *effects) handler(st interface {
	AddCounters(context.Context, string, string, time.Time, map[string]int64) (bool, error)
}) event.Handler {
	return func(ctx context.Context, e event.Event) error {
		f.mu.Lock()
		f.delivered[e.ID]++
		f.mu.Unlock()
		fresh, err := st.AddCounters(ctx, subscribers.Analytics, e.ID, time.Now(), map[string]int64{"events": 1})
		if err != nil {
			return err
		}
		if fresh {
			f.mu.Lock()
			f.applied[e.ID]++
			f.mu.Unlock()
		}
		return nil
	}
}

func (f *effects) appliedCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.applied)
}

// check asserts that each of the n events took effect exactly once.
func (f *effects) check(tb testing.TB, ids []string) {
	tb.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	redelivered := 0
	for _, id := range ids {
		if f.applied[id] != 1 {
			tb.Errorf("event %s took effect %d times", id, f.applied[id])
		}
		redelivered += f.delivered[id] - 1
	}
	if len(f.applied) != len(ids) {
		tb.Errorf("%d events took effect, want %d", len(f.applied), len(ids))
	}
	tb.Logf("%d events, %d redeliveries absorbed by the ledger", len(ids), redelivered)
}

// publishAll publishes the events in small batches, retrying a batch until
// the server takes it: a publish cut by the restart is repeated with the
// same ids, which JetStream stores once.
func publishAll(tb testing.TB, bus *jetstream.Bus, evs []event.Event, midway func()) {
	tb.Helper()
	for i := 0; i < len(evs); i += 10 {
		if i == len(evs)/2 {
			midway()
		}
		batch := evs[i:min(i+10, len(evs))]
		waitFor(tb, "a publish to succeed", func() bool {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			return bus.Publish(ctx, batch...) == nil
		})
	}
}

func restartEvents(tb testing.TB, run string, n int) ([]event.Event, []string) {
	evs := make([]event.Event, n)
	ids := make([]string, n)
	for i := range evs {
		evs[i] = orderEvent(tb, run, i, event.OrderPlaced)
		ids[i] = evs[i].ID
	}
	return evs, ids
}

// Restarting the NATS server mid-stream loses no event and handles none
// twice: the stream and the consumer live in the server's file store, the
// client reconnects, and the ledger absorbs redeliveries.
func TestNATSRestartMidStreamLosesNothingAndDoublesNothing(t *testing.T) {
	srv := startNATS(t)
	st := stores()["sqlite"](t)
	bus := jstest.Open(t, jetstream.Config{URL: srv.url()})
	run := jstest.RunID(t)
	f := newEffects()
	jstest.Subscribe(t, bus, jetstream.Subscription{Name: run, Types: []event.Type{event.OrderPlaced},
		Backoff: []time.Duration{50 * time.Millisecond}, AckWait: 2 * time.Second, MaxDeliver: 50, Handler: only(run, f.handler(st))})
	evs, ids := restartEvents(t, run, 400)
	publishAll(t, bus, evs, func() {
		waitFor(t, "some events handled before the restart", func() bool { return f.appliedCount() > 0 })
		srv.stop()
		srv.start(t)
	})
	waitFor(t, "every event handled", func() bool { return f.appliedCount() == len(ids) })
	f.check(t, ids)
}

// The external server is shared and not ours to restart: the test drops the
// client's connection mid-stream instead and lets it reconnect.
func TestExternalNATSReconnectMidStreamLosesNothingAndDoublesNothing(t *testing.T) {
	url := os.Getenv(jstest.Env)
	if url == "" {
		t.Skipf("%s is not set; skipping the external NATS run", jstest.Env)
	}
	st := stores()["sqlite"](t)
	bus := jstest.Open(t, jetstream.Config{URL: url})
	run := jstest.RunID(t)
	f := newEffects()
	jstest.Subscribe(t, bus, jetstream.Subscription{Name: run, Types: []event.Type{event.OrderPlaced},
		Backoff: []time.Duration{50 * time.Millisecond}, AckWait: 2 * time.Second, MaxDeliver: 50, Handler: only(run, f.handler(st))})
	evs, ids := restartEvents(t, run, 400)
	var dropped atomic.Bool
	publishAll(t, bus, evs, func() {
		waitFor(t, "some events handled before the drop", func() bool { return f.appliedCount() > 0 })
		if err := bus.JetStream().Conn().ForceReconnect(); err != nil {
			t.Fatal(fmt.Errorf("force reconnect: %w", err))
		}
		dropped.Store(true)
	})
	waitFor(t, "every event handled", func() bool { return f.appliedCount() == len(ids) })
	if !dropped.Load() {
		t.Fatal("the connection was never dropped")
	}
	f.check(t, ids)
}
