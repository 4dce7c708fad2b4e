package jetstream

import (
	"context"
	"strings"

	"github.com/nats-io/nats.go"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/peakshop/peakshop/internal/platform/msgtrace"
)

// Tracing is how the bus takes part in the shop's traces. The zero value
// makes no spans but still carries W3C trace context and baggage (the
// synthetic marker among it) in message headers, so a worker without a
// tracer still hands a load rehearsal's mark on to its subscribers.
type Tracing struct {
	// Provider makes the publish and process spans; nil makes none.
	Provider trace.TracerProvider
	// Propagator writes and reads the headers; nil is msgtrace's: W3C
	// traceparent and tracestate, and of the baggage only the members
	// messages may carry (the synthetic marker), never a caller's others.
	Propagator propagation.TextMapPropagator
}

const tracerName = "github.com/peakshop/peakshop/internal/messaging/jetstream"

func (t Tracing) tracer() trace.Tracer {
	if t.Provider == nil {
		return noop.NewTracerProvider().Tracer(tracerName)
	}
	return t.Provider.Tracer(tracerName)
}

func (t Tracing) propagator() propagation.TextMapPropagator {
	if t.Propagator == nil {
		return msgtrace.Propagator
	}
	return t.Propagator
}

// headerCarrier lets the propagator read and write NATS headers. NATS
// header names are case-sensitive; W3C's are written lower-case, as over
// HTTP/2, and read in either case.
type headerCarrier nats.Header

func (h headerCarrier) Get(key string) string {
	if v := nats.Header(h).Get(key); v != "" {
		return v
	}
	return http1Get(h, key)
}

func (h headerCarrier) Set(key, value string) { h[key] = []string{value} }

func (h headerCarrier) Keys() []string {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	return keys
}

// http1Get finds key written in another case (Traceparent by an HTTP/1
// style client).
func http1Get(h headerCarrier, key string) string {
	for k, v := range h {
		if len(v) > 0 && strings.EqualFold(k, key) {
			return v[0]
		}
	}
	return ""
}

// startPublish returns the context a message is published with and the
// producer span to end when the broker acknowledges it (nil when none).
//
// The message's trace is its recording request's (msgtrace.Context: the
// outbox row's stored context, or ctx for a direct publish). A producer
// span is made only inside a sampled trace: the shop decides at the edge
// which requests are traced (telemetry's admission), and the bus follows
// that choice instead of starting traces of its own, which would flood the
// console's ring with one root per event at peak.
func (b *Bus) startPublish(ctx context.Context, id, subject string, h nats.Header) trace.Span {
	mctx := msgtrace.Context(ctx, id)
	var span trace.Span
	if trace.SpanContextFromContext(mctx).IsSampled() {
		mctx, span = b.cfg.Tracing.tracer().Start(mctx, "publish "+subject, trace.WithSpanKind(trace.SpanKindProducer),
			trace.WithAttributes(
				attribute.String("messaging.system", "nats"),
				attribute.String("messaging.operation.type", "send"),
				attribute.String("messaging.destination.name", subject),
				attribute.String("messaging.message.id", id)))
	}
	b.cfg.Tracing.propagator().Inject(mctx, headerCarrier(h))
	return span
}

// startProcess continues the message's trace for its handler: the
// returned context carries the publisher's baggage (the synthetic marker)
// always, and a consumer span, a child of the publish span, when the trace
// is sampled.
//
// A child rather than a link: each message is handled on its own, so it
// has exactly one producer, and a child keeps the checkout, its publish and
// every subscriber's work in one trace the console can draw as one
// waterfall. Links are for batches handled together, which this bus does
// not do.
func (b *Bus) startProcess(ctx context.Context, consumer string, m msgHeaders) (context.Context, trace.Span) {
	ctx = b.cfg.Tracing.propagator().Extract(ctx, headerCarrier(m.Headers()))
	if !trace.SpanContextFromContext(ctx).IsSampled() {
		return ctx, nil
	}
	return b.cfg.Tracing.tracer().Start(ctx, "process "+m.Subject(), trace.WithSpanKind(trace.SpanKindConsumer),
		trace.WithAttributes(
			attribute.String("messaging.system", "nats"),
			attribute.String("messaging.operation.type", "process"),
			attribute.String("messaging.destination.name", m.Subject()),
			attribute.String("messaging.consumer.group.name", consumer)))
}

// msgHeaders is the part of a jetstream.Msg tracing reads.
type msgHeaders interface {
	Headers() nats.Header
	Subject() string
}

// endSpan ends span (if any), marking it failed when err is set. Error
// text stays out: a handler's error may quote the event's data.
func endSpan(span trace.Span, err error) {
	if span == nil {
		return
	}
	if err != nil {
		span.SetStatus(codes.Error, "failed")
	}
	span.End()
}
