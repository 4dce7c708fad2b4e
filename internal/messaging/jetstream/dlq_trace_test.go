package jetstream_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/peakshop/peakshop/internal/domain/event"
	"github.com/peakshop/peakshop/internal/messaging/jetstream"
	"github.com/peakshop/peakshop/internal/messaging/jetstream/jstest"
	"github.com/peakshop/peakshop/internal/platform/synthetic"
)

// A dead letter keeps the trace of the message that failed, and its
// redrive is handled in that trace, with its baggage (the synthetic
// marker), as the first delivery was.
func TestDeadLetterKeepsTheTrace(t *testing.T) {
	tracer := sdktrace.NewTracerProvider().Tracer("test")
	for name, open := range jstest.Buses(jetstream.Config{Tracing: jetstream.Tracing{}}) {
		t.Run(name, func(t *testing.T) {
			bus := open(t)
			run := jstest.RunID(t)
			consumer := "dlq-trace-" + run
			var fixed atomic.Bool
			seen := make(chan handled, 4)
			jstest.Subscribe(t, bus, jetstream.Subscription{Name: consumer, Types: []event.Type{event.ProductChanged},
				MaxDeliver: 1, Handler: func(ctx context.Context, e event.Event) error {
					if !strings.HasPrefix(e.ID, run) {
						return nil
					}
					if !fixed.Load() {
						return errors.New("poison")
					}
					seen <- handled{sc: trace.SpanContextFromContext(ctx), synthetic: synthetic.FromContext(ctx)}
					return nil
				}})

			ctx, span := tracer.Start(synthetic.With(context.Background()), "POST /api/v1/checkout")
			span.End()
			if err := bus.Publish(ctx, traceEvent(t, run+"-1")); err != nil {
				t.Fatal(err)
			}
			dl := waitDeadLetter(t, bus, consumer)
			if !strings.Contains(dl.Trace["traceparent"], span.SpanContext().TraceID().String()) || dl.Trace["baggage"] != "synthetic=true" {
				t.Fatalf("dead letter's trace %v, want trace %s and the synthetic marker", dl.Trace, span.SpanContext().TraceID())
			}

			fixed.Store(true)
			if err := bus.Redrive(context.Background(), dl.Seq); err != nil {
				t.Fatal(err)
			}
			if h := within(t, seen, "the redriven event was not handled"); h.sc.TraceID() != span.SpanContext().TraceID() || !h.synthetic {
				t.Errorf("redrive handled in trace %s (synthetic %v), want %s (synthetic)", h.sc.TraceID(), h.synthetic, span.SpanContext().TraceID())
			}
		})
	}
}

// A dead letter that carries trace headers itself is redriven with them,
// even once the failed message has aged out of the events stream.
func TestRedriveUsesTheDeadLettersOwnTrace(t *testing.T) {
	for name, open := range jstest.Buses(jetstream.Config{Tracing: jetstream.Tracing{}}) {
		t.Run(name, func(t *testing.T) {
			bus := open(t)
			run := jstest.RunID(t)
			consumer := "dlq-own-" + run
			const parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
			seen := make(chan trace.SpanContext, 1)
			jstest.Subscribe(t, bus, jetstream.Subscription{Name: consumer, Types: []event.Type{event.ProductChanged},
				Handler: func(ctx context.Context, e event.Event) error {
					if strings.HasPrefix(e.ID, run) {
						seen <- trace.SpanContextFromContext(ctx)
					}
					return nil
				}})
			m := nats.NewMsg("peakshop.dlq." + consumer)
			m.Data = mustJSON(t, traceEvent(t, run+"-1"))
			m.Header.Set("Peakshop-Consumer", consumer)
			m.Header.Set("Peakshop-Subject", jetstream.Subject(event.ProductChanged))
			m.Header.Set("Nats-Msg-Id", consumer+":999999999")
			m.Header.Set("traceparent", parent)
			if _, err := bus.JetStream().PublishMsg(context.Background(), m); err != nil {
				t.Fatal(err)
			}
			dl := waitDeadLetter(t, bus, consumer)
			if dl.Trace["traceparent"] != parent {
				t.Fatalf("trace %v", dl.Trace)
			}
			if err := bus.Redrive(context.Background(), dl.Seq); err != nil {
				t.Fatal(err)
			}
			if sc := within(t, seen, "the redriven event was not handled"); sc.TraceID().String() != "0af7651916cd43dd8448eb211c80319c" {
				t.Errorf("redrive handled in trace %s", sc.TraceID())
			}
		})
	}
}

func waitDeadLetter(tb testing.TB, bus *jetstream.Bus, consumer string) jetstream.DeadLetter {
	tb.Helper()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		dls, err := bus.DeadLetters(context.Background(), 100000)
		if err != nil {
			tb.Fatal(err)
		}
		for _, dl := range dls {
			if dl.Consumer == consumer {
				return dl
			}
		}
	}
	tb.Fatalf("no dead letter for %s", consumer)
	return jetstream.DeadLetter{}
}

func mustJSON(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
