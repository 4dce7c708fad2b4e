// Package telemetry owns how peakshop observes itself: the Prometheus
// registry (with Go runtime and process series), OpenTelemetry tracing (OTLP
// export when an endpoint is given, and always an in-memory ring of recent
// traces for the console), JSON logs that carry trace and request ids, and
// the HTTP middleware that starts a request's trace.
//
// It stands beside the shop (shared/STYLE.md layer 6): it never imports the
// domain or storage, and the shop hands it only an http.Handler, a logger and
// the Prometheus registry it registers its own series on.
//
// Privacy is enforced at the exits, not hoped for at the sources: every span
// that leaves (to OTLP or to the console) and every log record passes through
// redact.go, which drops attributes that identify a person (client address,
// user agent, query strings) and masks values that look like e-mail
// addresses, card numbers or payment tokens.
package telemetry

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// Options configure New.
type Options struct {
	// Service names this process in traces (service.name); default "peakshop".
	Service string
	// Version is reported as service.version.
	Version string
	// OTLPEndpoint, when set, exports traces over OTLP/HTTP to it
	// (http://collector:4318 or host:4318).
	OTLPEndpoint string
	// SampleRatio is the share of new traces recorded (0-1]; a request that
	// arrives with a sampled traceparent is always recorded. Default 1.
	SampleRatio float64
	// TracesPerSecond caps the new traces recorded each second (default
	// 100): every request of a quiet shop is traced, and a busy one pays
	// for a bounded number.
	TracesPerSecond int
	// RingSpans bounds the spans kept in memory for the console (default 4096).
	RingSpans int
	// Logger receives telemetry's own problems (an unreachable collector).
	Logger *slog.Logger
}

// Telemetry is one process's observability setup. Build it with New and
// Shutdown it last, after the HTTP server has drained, so the final spans
// are flushed.
type Telemetry struct {
	Registry *prometheus.Registry
	Traces   *Ring

	tp         *sdktrace.TracerProvider
	propagator propagation.TextMapPropagator
	ids        *requestIDs
	admission  *admission
	logger     *slog.Logger
}

// New sets up the registry and the tracer provider. It reads and sets no
// global state: everything the shop needs comes from the returned value.
func New(ctx context.Context, o Options) (*Telemetry, error) {
	if o.Service == "" {
		o.Service = "peakshop"
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.SampleRatio <= 0 || o.SampleRatio > 1 {
		o.SampleRatio = 1
	}
	if o.TracesPerSecond <= 0 {
		o.TracesPerSecond = 100
	}
	if o.RingSpans <= 0 {
		o.RingSpans = 4096
	}
	ids, err := newRequestIDs()
	if err != nil {
		return nil, err
	}
	t := &Telemetry{
		Registry:   NewRegistry(),
		Traces:     NewRing(o.RingSpans),
		propagator: propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}),
		ids:        ids,
		admission:  newAdmission(o.SampleRatio, o.TracesPerSecond),
		logger:     o.Logger,
	}
	if t.tp, err = newTracerProvider(ctx, o, t.Traces); err != nil {
		return nil, fmt.Errorf("telemetry: %w", err)
	}
	return t, nil
}

// TracerProvider is the provider spans of this process are made with.
func (t *Telemetry) TracerProvider() trace.TracerProvider { return t.tp }

// Propagator reads and writes W3C traceparent and baggage headers; outgoing
// calls (the edge, webhooks, queues) inject with it.
func (t *Telemetry) Propagator() propagation.TextMapPropagator { return t.propagator }

// Logger wraps l so that records carry trace_id, span_id and request_id from
// their context and leave with personal data masked.
func (t *Telemetry) Logger(l *slog.Logger) *slog.Logger { return slog.New(NewLogHandler(l.Handler())) }

// Middleware returns next traced: see middleware.go.
func (t *Telemetry) Middleware(next http.Handler) http.Handler { return t.middleware(next) }

// Shutdown flushes spans still queued for the exporter.
func (t *Telemetry) Shutdown(ctx context.Context) error {
	if err := t.tp.Shutdown(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("telemetry: flush traces: %w", err)
	}
	return nil
}
