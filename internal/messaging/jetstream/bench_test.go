package jetstream_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	natsjs "github.com/nats-io/nats.go/jetstream"

	"github.com/peakshop/peakshop/internal/domain/event"
	"github.com/peakshop/peakshop/internal/domain/money"
	"github.com/peakshop/peakshop/internal/messaging/jetstream"
	"github.com/peakshop/peakshop/internal/messaging/jetstream/jstest"
)

// BenchmarkJetStream compares, on the embedded server and in one run, what
// the shop gets through JetStream with what JetStream itself does:
//
//   - raw-publish: `nats bench --js pub --async` style, b.N messages of the
//     size of a shop event published asynchronously to a file-backed stream
//     and acknowledged;
//   - events-to-consumer: b.N order events published the way the outbox
//     relay does (Bus.Publish, batches of 512, message id = event id, so
//     the server checks duplicates) and handled by a durable consumer
//     (Bus.Subscribe: per-key lanes, ack after the handler), timed until the
//     consumer has handled the last one.
//
// Run with -benchtime=Nx:
//
//	go test -run '^$' -bench JetStream -benchtime 50000x ./internal/messaging/jetstream/
func BenchmarkJetStream(b *testing.B) {
	sample := orderEvent(b, 0)
	raw, err := json.Marshal(sample)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("raw-publish", func(b *testing.B) {
		bus := jstest.Open(b, jetstream.Config{StoreDir: b.TempDir()})
		ctx := context.Background()
		js := bus.JetStream()
		if _, err := js.CreateOrUpdateStream(ctx, natsjs.StreamConfig{Name: "BENCH_RAW", Subjects: []string{"bench.raw"},
			Storage: natsjs.FileStorage}); err != nil {
			b.Fatal(err)
		}
		payload := make([]byte, len(raw))
		copy(payload, raw)
		b.SetBytes(int64(len(payload)))
		b.ResetTimer()
		start := time.Now()
		for range b.N {
			// At the bus's cap of 4,096 unacknowledged publishes, wait for
			// acks rather than fail, as nats bench's publisher does.
			if _, err := js.PublishAsync("bench.raw", payload, natsjs.WithStallWait(time.Minute)); err != nil {
				b.Fatal(err)
			}
		}
		select {
		case <-js.PublishAsyncComplete():
		case <-time.After(5 * time.Minute):
			b.Fatal("publishes not acknowledged within 5 minutes")
		}
		elapsed := time.Since(start)
		b.StopTimer()
		b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msgs/s")
		b.ReportMetric(0, "ns/op")
	})
	b.Run("events-to-consumer", func(b *testing.B) {
		bus := jstest.Open(b, jetstream.Config{StoreDir: b.TempDir()})
		ctx := context.Background()
		evs := make([]event.Event, b.N)
		for i := range evs {
			evs[i] = orderEvent(b, i)
		}
		var handled atomic.Int64
		all := make(chan struct{})
		stop, err := bus.Subscribe(ctx, jetstream.Subscription{Name: "bench", Types: []event.Type{event.OrderPlaced},
			Handler: func(context.Context, event.Event) error {
				if handled.Add(1) == int64(b.N) {
					close(all)
				}
				return nil
			}})
		if err != nil {
			b.Fatal(err)
		}
		defer stop()
		b.SetBytes(int64(len(raw)))
		b.ResetTimer()
		start := time.Now()
		idle := watchIdle(&handled, all)
		for i := 0; i < len(evs); i += 512 {
			if err := bus.Publish(ctx, evs[i:min(i+512, len(evs))]...); err != nil {
				b.Fatal(err)
			}
		}
		published := time.Since(start)
		select {
		case <-all:
		case <-time.After(5 * time.Minute):
			b.Fatalf("%d of %d events handled within 5 minutes", handled.Load(), b.N)
		}
		elapsed := time.Since(start)
		b.StopTimer()
		b.ReportMetric(float64(b.N)/elapsed.Seconds(), "events/s")
		b.ReportMetric(float64(b.N)/published.Seconds(), "published/s")
		b.ReportMetric(float64((<-idle).Milliseconds()), "max-idle-ms")
		b.ReportMetric(0, "ns/op")
	})
}

// watchIdle samples handled every 10 ms until done is closed and then sends
// the longest time it saw no progress: a consumer that idles with messages
// waiting shows as a long pause (it was 2 s with nats.go's Consume; see
// Bus.pull).
func watchIdle(handled *atomic.Int64, done <-chan struct{}) <-chan time.Duration {
	out := make(chan time.Duration, 1)
	go func() {
		var longest time.Duration
		last, since := handled.Load(), time.Now()
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				out <- longest
				return
			case now := <-tick.C:
				if n := handled.Load(); n != last {
					last, since = n, now
				} else {
					longest = max(longest, now.Sub(since))
				}
			}
		}
	}()
	return out
}

// orderEvent is an order.placed event shaped like the shop's.
func orderEvent(tb testing.TB, i int) event.Event {
	id := fmt.Sprintf("ord_bench%012d", i)
	e, err := event.New(event.OrderEventID(id, event.OrderPlaced), event.OrderPlaced, id, time.Now(),
		event.OrderData{OrderID: id, Total: money.Money{Amount: 4999, Currency: "USD"}, Units: 2, Queued: true})
	if err != nil {
		tb.Fatal(err)
	}
	return e
}
