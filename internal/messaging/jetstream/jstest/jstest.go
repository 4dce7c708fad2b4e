// Package jstest runs tests on the shop's JetStream bus: on the embedded
// server always, and on the external one PEAKSHOP_TEST_NATS names when it
// is set, as storetest does for the databases. An external server is
// shared with other runs, so tests name their consumers and events with
// RunID and delete their consumers when they end (Subscribe).
package jstest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"sync"
	"testing"

	"github.com/peakshop/peakshop/internal/messaging/jetstream"
)

// Env names an external NATS server to run the bus tests against too.
const Env = "PEAKSHOP_TEST_NATS"

// Buses lists the servers to run on, "embedded" and, with Env set,
// "external"; each opens a bus with cfg (its URL or store folder set here)
// that is closed when the test ends.
func Buses(cfg jetstream.Config) map[string]func(testing.TB) *jetstream.Bus {
	b := map[string]func(testing.TB) *jetstream.Bus{"embedded": func(tb testing.TB) *jetstream.Bus {
		c := cfg
		c.StoreDir = tb.TempDir()
		return Open(tb, c)
	}}
	if url := os.Getenv(Env); url != "" {
		b["external"] = func(tb testing.TB) *jetstream.Bus {
			c := cfg
			c.URL = url
			return Open(tb, c)
		}
	}
	return b
}

// Open opens a bus that is closed when the test ends.
func Open(tb testing.TB, cfg jetstream.Config) *jetstream.Bus {
	tb.Helper()
	b, err := jetstream.Open(context.Background(), cfg)
	if err != nil {
		tb.Fatalf("open bus: %v", err)
	}
	tb.Cleanup(func() { _ = b.Close() })
	return b
}

// RunID keeps one run's consumers and events apart from everything else on
// a shared server.
func RunID(tb testing.TB) string {
	tb.Helper()
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	return "t" + hex.EncodeToString(b)
}

// Subscribe starts sub and, when the test ends, stops it and deletes its
// durable consumer, so a shared server keeps no test consumers. The
// returned stop may be called earlier.
func Subscribe(tb testing.TB, bus *jetstream.Bus, sub jetstream.Subscription) (stop func()) {
	tb.Helper()
	s, err := bus.Subscribe(context.Background(), sub)
	if err != nil {
		tb.Fatalf("subscribe %s: %v", sub.Name, err)
	}
	stop = sync.OnceFunc(s)
	tb.Cleanup(func() {
		stop()
		_ = bus.JetStream().DeleteConsumer(context.Background(), jetstream.EventsStream, sub.Name)
	})
	return stop
}
