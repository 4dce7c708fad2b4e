package jetstream_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	natsjs "github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/peakshop/peakshop/internal/domain/event"
	"github.com/peakshop/peakshop/internal/messaging/jetstream"
	"github.com/peakshop/peakshop/internal/messaging/jetstream/jstest"
	"github.com/peakshop/peakshop/internal/platform/msgtrace"
	"github.com/peakshop/peakshop/internal/platform/synthetic"
)

// handled is what a subscriber saw of one event.
type handled struct {
	sc        trace.SpanContext
	synthetic bool
}

// TestTraceFollowsMessages publishes the way the outbox relay does (a batch
// whose events were recorded by different requests, their contexts in
// msgtrace) and the way a request does (ctx's own span), and checks each
// subscriber runs in the recording request's trace, as a child of a
// producer span, with the request's baggage (the synthetic marker).
func TestTraceFollowsMessages(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	tracer := tp.Tracer("test")
	for name, open := range jstest.Buses(jetstream.Config{Tracing: jetstream.Tracing{Provider: tp}}) {
		t.Run(name, func(t *testing.T) {
			bus := open(t)
			run := jstest.RunID(t)
			seen := recordHandled(t, bus, "trace-"+run, run, 8)

			// Two "checkouts": one synthetic, recorded earlier, relayed later.
			reqCtx, reqSpan := tracer.Start(synthetic.With(context.Background()), "POST /api/v1/checkout")
			stored := msgtrace.Capture(reqCtx)
			reqSpan.End()
			plainCtx, plainSpan := tracer.Start(context.Background(), "POST /api/v1/checkout")
			storedPlain := msgtrace.Capture(plainCtx)
			plainSpan.End()
			relayCtx := msgtrace.WithBatch(context.Background(), map[string]msgtrace.Headers{
				run + "-1": msgtrace.Parse(stored), run + "-2": msgtrace.Parse(storedPlain)})
			evs := []event.Event{traceEvent(t, run+"-1"), traceEvent(t, run+"-2")}
			if err := bus.Publish(relayCtx, evs...); err != nil {
				t.Fatal(err)
			}
			got := map[trace.TraceID]handled{}
			for len(got) < 2 {
				select {
				case h := <-seen:
					got[h.sc.TraceID()] = h
				case <-time.After(10 * time.Second):
					t.Fatalf("handled %d of 2 events", len(got))
				}
			}
			h, ok := got[reqSpan.SpanContext().TraceID()]
			if !ok || !h.synthetic {
				t.Errorf("synthetic checkout's event: in its trace %v, synthetic %v", ok, h.synthetic)
			}
			if h, ok := got[plainSpan.SpanContext().TraceID()]; !ok || h.synthetic {
				t.Errorf("plain checkout's event: in its trace %v, synthetic %v", ok, h.synthetic)
			}
			// The process span's parent is the publish span, whose parent is
			// the checkout's span.
			spans := traceSpans(t, rec, reqSpan.SpanContext().TraceID(), 3)
			byID := map[trace.SpanID]sdktrace.ReadOnlySpan{}
			for _, s := range spans {
				byID[s.SpanContext().SpanID()] = s
			}
			for _, s := range spans {
				if s.SpanKind() != trace.SpanKindConsumer {
					continue
				}
				pub, ok := byID[s.Parent().SpanID()]
				if !ok || pub.SpanKind() != trace.SpanKindProducer || pub.Parent().SpanID() != reqSpan.SpanContext().SpanID() {
					t.Errorf("process span %q: parent %v is not the publish span under the checkout", s.Name(), s.Parent().SpanID())
				}
			}

			// A direct publish in a request continues the request's trace.
			directCtx, direct := tracer.Start(context.Background(), "admin write")
			if err := bus.Publish(directCtx, traceEvent(t, run+"-3")); err != nil {
				t.Fatal(err)
			}
			direct.End()
			if h := within(t, seen, "direct publish not handled"); h.sc.TraceID() != direct.SpanContext().TraceID() {
				t.Errorf("direct publish handled in trace %s, want %s", h.sc.TraceID(), direct.SpanContext().TraceID())
			}
		})
	}
}

// TestUntracedMessagesCarryBaggageOnly checks a bus without a tracer (a
// worker) still hands the synthetic marker on, makes no spans, and that
// an unsampled trace starts no span downstream.
func TestUntracedMessagesCarryBaggageOnly(t *testing.T) {
	for name, open := range jstest.Buses(jetstream.Config{Tracing: jetstream.Tracing{}}) {
		t.Run(name, func(t *testing.T) {
			bus := open(t)
			run := jstest.RunID(t)
			seen := recordHandled(t, bus, "baggage-"+run, run, 1)
			if err := bus.Publish(synthetic.With(context.Background()), traceEvent(t, run+"-1")); err != nil {
				t.Fatal(err)
			}
			if h := within(t, seen, "not handled"); !h.synthetic || h.sc.IsValid() {
				t.Errorf("handler context: synthetic %v, span %v; want the marker and no trace", h.synthetic, h.sc)
			}
		})
	}
}

// TestQueueCollector checks the scrape-time series: lag of a consumer
// whose handler is stuck, dead letters per subscriber, and the cache that
// keeps scrapes off NATS.
func TestQueueCollector(t *testing.T) {
	for name, open := range jstest.Buses(jetstream.Config{Tracing: jetstream.Tracing{}}) {
		t.Run(name, func(t *testing.T) {
			bus := open(t)
			run := jstest.RunID(t)
			failing, slow := "dead-"+run, "slow-"+run
			release := make(chan struct{})
			jstest.Subscribe(t, bus, jetstream.Subscription{Name: failing, Types: []event.Type{event.ProductChanged},
				MaxDeliver: 1, Workers: 1, Handler: func(context.Context, event.Event) error { return errors.New("poison") }})
			stopSlow := jstest.Subscribe(t, bus, jetstream.Subscription{Name: slow, Types: []event.Type{event.ProductChanged},
				Workers: 1, Handler: func(ctx context.Context, _ event.Event) error {
					select {
					case <-release:
					case <-ctx.Done():
					}
					return nil
				}})
			defer func() { close(release); stopSlow() }()
			for i := range 3 {
				if err := bus.Publish(context.Background(), traceEvent(t, run+"-"+string(rune('a'+i)))); err != nil {
					t.Fatal(err)
				}
			}
			reg := prometheus.NewPedanticRegistry()
			reg.MustRegister(bus.Collector(50 * time.Millisecond))
			deadline := time.Now().Add(15 * time.Second)
			for {
				// New consumers read the whole stream: on a shared server it
				// holds other runs' product.changed events too, and every one
				// is poison to the one consumer and stuck at the other.
				want := float64(subjectCount(t, bus, jetstream.Subject(event.ProductChanged)))
				dead := gaugeSum(t, reg, "peakshop_queue_dead_letters", failing)
				lag := gaugeSum(t, reg, "peakshop_queue_consumer_lag_messages", slow)
				lagOK := lag == want
				if !jetstream.MultiFilter(bus) {
					// A server before 2.10 (this machine's 2.9) gives a
					// consumer one filter, so ours reads the whole stream
					// and skips the other subjects itself. Once its handler
					// blocks and its buffers fill, what it has yet to skip
					// is lag too: at least this subject's messages, at most
					// the stream's.
					lagOK = lag >= want && lag <= float64(streamCount(t, bus))
				}
				if want >= 3 && dead == want && lagOK {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("dead letters of %s = %v, lag of %s = %v; want %v dead letters and that lag (multiple filters: %v)",
						failing, dead, slow, lag, want, jetstream.MultiFilter(bus))
				}
				time.Sleep(100 * time.Millisecond)
			}
			if up := gaugeSum(t, reg, "peakshop_queue_up", ""); up != 1 {
				t.Errorf("peakshop_queue_up = %v", up)
			}
		})
	}
}

// TestQueueCollectorCaches checks a burst of scrapes asks NATS once per ttl.
func TestQueueCollectorCaches(t *testing.T) {
	bus := jstest.Buses(jetstream.Config{Tracing: jetstream.Tracing{}})["embedded"](t)
	reg := prometheus.NewRegistry()
	reg.MustRegister(bus.Collector(time.Hour))
	first := gaugeSum(t, reg, "peakshop_queue_stream_messages", "")
	run := jstest.RunID(t)
	if err := bus.Publish(context.Background(), traceEvent(t, run+"-1")); err != nil {
		t.Fatal(err)
	}
	for range 20 {
		if v := gaugeSum(t, reg, "peakshop_queue_stream_messages", ""); v != first {
			t.Fatalf("stream messages changed %v -> %v within the ttl: the scrape went to NATS", first, v)
		}
	}
}

func traceEvent(tb testing.TB, id string) event.Event {
	tb.Helper()
	e, err := event.New(id, event.ProductChanged, "p-"+id, time.Now(), map[string]string{"product_id": id})
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

// subjectCount is how many messages of subject the events stream holds.
func subjectCount(tb testing.TB, bus *jetstream.Bus, subject string) uint64 {
	tb.Helper()
	ctx := context.Background()
	st, err := bus.JetStream().Stream(ctx, jetstream.EventsStream)
	if err != nil {
		tb.Fatal(err)
	}
	info, err := st.Info(ctx, natsjs.WithSubjectFilter(subject))
	if err != nil {
		tb.Fatal(err)
	}
	return info.State.Subjects[subject]
}

// streamCount is the number of messages in the events stream.
func streamCount(tb testing.TB, bus *jetstream.Bus) uint64 {
	tb.Helper()
	st, err := bus.JetStream().Stream(context.Background(), jetstream.EventsStream)
	if err != nil {
		tb.Fatal(err)
	}
	info, err := st.Info(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return info.State.Msgs
}

// gaugeSum sums the named series whose single label has value label (""
// for every series).
func gaugeSum(tb testing.TB, g prometheus.Gatherer, name, label string) float64 {
	tb.Helper()
	mfs, err := g.Gather()
	if err != nil {
		tb.Fatal(err)
	}
	sum := 0.0
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if label != "" && (len(m.GetLabel()) == 0 || m.GetLabel()[0].GetValue() != label) {
				continue
			}
			sum += m.GetGauge().GetValue()
		}
	}
	return sum
}

// traceSpans waits until the recorder holds n spans of the trace.
func traceSpans(tb testing.TB, rec *tracetest.SpanRecorder, id trace.TraceID, n int) []sdktrace.ReadOnlySpan {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var out []sdktrace.ReadOnlySpan
		for _, s := range rec.Ended() {
			if s.SpanContext().TraceID() == id {
				out = append(out, s)
			}
		}
		if len(out) >= n || time.Now().After(deadline) {
			return out
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// recordHandled subscribes consumer to product.changed and reports, for
// each of this run's events, the trace and synthetic marker its handler
// ran with; the subscription stops when the test ends.
func recordHandled(t *testing.T, bus *jetstream.Bus, consumer, run string, buffer int) <-chan handled {
	t.Helper()
	seen := make(chan handled, buffer)
	jstest.Subscribe(t, bus, jetstream.Subscription{Name: consumer, Types: []event.Type{event.ProductChanged},
		Handler: func(ctx context.Context, e event.Event) error {
			if strings.HasPrefix(e.ID, run) {
				seen <- handled{sc: trace.SpanContextFromContext(ctx), synthetic: synthetic.FromContext(ctx)}
			}
			return nil
		}})
	return seen
}

// within returns the next value from ch, failing the test with msg when
// none comes within 10 s.
func within[T any](tb testing.TB, ch <-chan T, msg string) T {
	tb.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		tb.Fatal(msg)
		var zero T
		return zero
	}
}
