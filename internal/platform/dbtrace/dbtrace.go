// Package dbtrace turns database/sql calls into OpenTelemetry spans (through
// github.com/XSAM/otelsql) under the caller's span.
//
// It holds no tracer of its own and reads no global one: each query span is
// made by the TracerProvider of the span already in the context. So a query
// outside a traced request (migrations, the recovery loop) records nothing and
// costs almost nothing, and two shops in one process (tests) never mix their
// traces. Query text is recorded (it has $n placeholders, never values);
// arguments never are.
package dbtrace

import (
	"context"
	"database/sql/driver"

	"github.com/XSAM/otelsql"
	"go.opentelemetry.io/otel/attribute"
	noopmetric "go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/embedded"
)

// Options are the otelsql options for a pool of the named engine ("sqlite",
// "postgresql"): spans for queries, executions, statements and transactions
// whose parent is a recording span; no per-row events, no session-reset
// spans, no otelsql metrics (the shop's Prometheus series cover the pools).
func Options(system string) []otelsql.Option {
	return []otelsql.Option{
		otelsql.WithTracerProvider(followParent{}),
		otelsql.WithMeterProvider(noopmetric.NewMeterProvider()),
		otelsql.WithAttributes(attribute.String("db.system.name", system)),
		otelsql.WithSpanOptions(otelsql.SpanOptions{
			OmitConnResetSession: true,
			OmitRows:             true,
			DisableErrSkip:       true,
			SpanFilter:           parentRecording,
		}),
	}
}

func parentRecording(ctx context.Context, _ otelsql.Method, _ string, _ []driver.NamedValue) bool {
	return trace.SpanFromContext(ctx).IsRecording()
}

// followParent is a TracerProvider whose tracers start spans with the
// provider of the context's current span.
type followParent struct{ embedded.TracerProvider }

func (followParent) Tracer(name string, opts ...trace.TracerOption) trace.Tracer {
	return parentTracer{name: name, opts: opts}
}

type parentTracer struct {
	embedded.Tracer
	name string
	opts []trace.TracerOption
}

func (t parentTracer) Start(ctx context.Context, spanName string, opts ...trace.SpanStartOption) (context.Context, trace.Span) {
	return trace.SpanFromContext(ctx).TracerProvider().Tracer(t.name, t.opts...).Start(ctx, spanName, opts...)
}
