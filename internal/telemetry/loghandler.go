package telemetry

import (
	"context"
	"fmt"
	"log/slog"

	"go.opentelemetry.io/otel/trace"

	"github.com/peakshop/peakshop/internal/platform/synthetic"
)

// LogHandler adds trace_id, span_id and request_id from a record's context
// (so a log line leads to its trace in the console or the collector),
// synthetic=true for load-rehearsal traffic, and masks personal data and
// secrets in attributes, whatever handler it wraps.
type LogHandler struct{ next slog.Handler }

// NewLogHandler wraps next.
func NewLogHandler(next slog.Handler) *LogHandler { return &LogHandler{next: next} }

// Enabled reports whether next handles level.
func (h *LogHandler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

// Handle writes r through next with ids added and attributes redacted. It
// builds a new record instead of changing r, which may be shared.
func (h *LogHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, Scrub(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(redactLogAttr(a))
		return true
	})
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		out.AddAttrs(slog.String("trace_id", sc.TraceID().String()), slog.String("span_id", sc.SpanID().String()))
	}
	if id := RequestID(ctx); id != "" {
		out.AddAttrs(slog.String("request_id", id))
	}
	if synthetic.FromContext(ctx) {
		out.AddAttrs(slog.Bool("synthetic", true))
	}
	return h.next.Handle(ctx, out)
}

// WithAttrs redacts attrs once, when they are attached.
func (h *LogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	red := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		red[i] = redactLogAttr(a)
	}
	return &LogHandler{next: h.next.WithAttrs(red)}
}

// WithGroup groups through next.
func (h *LogHandler) WithGroup(name string) slog.Handler {
	return &LogHandler{next: h.next.WithGroup(name)}
}

func redactLogAttr(a slog.Attr) slog.Attr {
	if sensitiveKey(a.Key) {
		return slog.String(a.Key, Redacted)
	}
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, Scrub(v.String()))
	case slog.KindGroup:
		g := v.Group()
		red := make([]any, len(g))
		for i, ga := range g {
			red[i] = redactLogAttr(ga)
		}
		return slog.Group(a.Key, red...)
	case slog.KindAny:
		// errors and Stringers: what they print is what would be logged.
		switch x := v.Any().(type) {
		case error:
			return slog.String(a.Key, Scrub(x.Error()))
		case fmt.Stringer:
			return slog.String(a.Key, Scrub(x.String()))
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}
