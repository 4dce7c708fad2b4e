package telemetry

import (
	"context"
	"fmt"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// newTracerProvider records spans into the ring always and, with an OTLP
// endpoint, batches them to the collector too. The ring is fed
// synchronously (one lock and a pointer store); the exporter never runs on
// a request's goroutine.
func newTracerProvider(ctx context.Context, o Options, ring *Ring) (*sdktrace.TracerProvider, error) {
	res := resource.NewSchemaless(
		attribute.String("service.name", o.Service),
		attribute.String("service.version", o.Version),
	)
	opts := []sdktrace.TracerProviderOption{
		sdktrace.WithResource(res),
		// Whether a request's trace is recorded is decided before its span
		// starts (sampler.go); every span that does start is recorded.
		sdktrace.WithSampler(sdktrace.AlwaysSample()),
		sdktrace.WithSpanProcessor(ring),
	}
	if o.OTLPEndpoint != "" {
		exp, err := otlpExporter(ctx, o.OTLPEndpoint)
		if err != nil {
			return nil, err
		}
		opts = append(opts, sdktrace.WithBatcher(redactingExporter{next: exp}))
		o.Logger.Info("exporting traces over OTLP/HTTP", "endpoint", o.OTLPEndpoint)
	}
	return sdktrace.NewTracerProvider(opts...), nil
}

// otlpExporter accepts http://host:port, https://host:port or host:port (the
// last meaning plain HTTP, as a collector beside the shop usually is).
func otlpExporter(ctx context.Context, endpoint string) (sdktrace.SpanExporter, error) {
	opts := []otlptracehttp.Option{}
	switch {
	case strings.HasPrefix(endpoint, "http://"), strings.HasPrefix(endpoint, "https://"):
		u := strings.TrimRight(endpoint, "/")
		if !strings.HasSuffix(u, "/v1/traces") {
			u += "/v1/traces" // a collector's base address, as most docs give it
		}
		opts = append(opts, otlptracehttp.WithEndpointURL(u))
	default:
		opts = append(opts, otlptracehttp.WithEndpoint(endpoint), otlptracehttp.WithInsecure())
	}
	exp, err := otlptracehttp.New(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("OTLP exporter for %s: %w", endpoint, err)
	}
	return exp, nil
}
