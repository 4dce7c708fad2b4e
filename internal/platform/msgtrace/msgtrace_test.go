package msgtrace_test

import (
	"context"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/baggage"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/peakshop/peakshop/internal/platform/msgtrace"
	"github.com/peakshop/peakshop/internal/platform/synthetic"
)

func TestCaptureParseContext(t *testing.T) {
	tp := sdktrace.NewTracerProvider()
	ctx, span := tp.Tracer("test").Start(context.Background(), "checkout")
	defer span.End()
	// A caller's other baggage members must not travel with the message.
	m, _ := baggage.NewMember("customer.email", "ada%40example.org")
	b, _ := baggage.FromContext(synthetic.With(ctx)).SetMember(m)
	ctx = baggage.ContextWithBaggage(synthetic.With(ctx), b)

	stored := msgtrace.Capture(ctx)
	if !strings.Contains(stored, span.SpanContext().TraceID().String()) || !strings.Contains(stored, "synthetic=true") {
		t.Fatalf("stored %q lacks the trace id or the synthetic marker", stored)
	}
	if strings.Contains(stored, "email") {
		t.Fatalf("stored %q carries a caller's baggage beyond the synthetic marker", stored)
	}
	if got := msgtrace.Capture(context.Background()); got != "" {
		t.Errorf("a context without trace or baggage stored %q, want nothing (NULL)", got)
	}

	batch := msgtrace.WithBatch(context.Background(), map[string]msgtrace.Headers{"e1": msgtrace.Parse(stored)})
	e1 := msgtrace.Context(batch, "e1")
	if sc := trace.SpanContextFromContext(e1); sc.TraceID() != span.SpanContext().TraceID() || !sc.IsRemote() {
		t.Errorf("e1's context: %v, want the checkout's trace, remote", sc)
	}
	if !synthetic.FromContext(e1) {
		t.Error("e1 lost the synthetic marker")
	}
	if e2 := msgtrace.Context(batch, "e2"); trace.SpanContextFromContext(e2).IsValid() || synthetic.FromContext(e2) {
		t.Error("an event without stored context borrowed another's")
	}
	for _, bad := range []string{"", "{", `{"traceparent":"garbage"}`} {
		ctx := msgtrace.Context(msgtrace.WithBatch(context.Background(), map[string]msgtrace.Headers{"x": msgtrace.Parse(bad)}), "x")
		if trace.SpanContextFromContext(ctx).IsValid() {
			t.Errorf("stored %q gave a trace context", bad)
		}
	}
}
