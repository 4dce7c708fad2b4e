package telemetry

import (
	"context"
	"sync"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// Ring is a span processor that keeps the most recent finished spans in a
// fixed-size buffer, so a shop without a collector still shows its recent
// traces (console) and a test can read what would have been exported.
// Ending a span costs one short lock and a pointer store; spans are
// converted and scrubbed only when someone reads them.
type Ring struct {
	mu    sync.Mutex
	spans []sdktrace.ReadOnlySpan
	next  int
	full  bool
}

var _ sdktrace.SpanProcessor = (*Ring)(nil)

// NewRing keeps up to n spans.
func NewRing(n int) *Ring { return &Ring{spans: make([]sdktrace.ReadOnlySpan, n)} }

// OnStart does nothing: only finished spans are kept.
func (r *Ring) OnStart(context.Context, sdktrace.ReadWriteSpan) {}

// OnEnd keeps s, dropping the oldest span when full.
func (r *Ring) OnEnd(s sdktrace.ReadOnlySpan) {
	r.mu.Lock()
	r.spans[r.next] = s
	r.next++
	if r.next == len(r.spans) {
		r.next, r.full = 0, true
	}
	r.mu.Unlock()
}

// Shutdown does nothing: the ring holds no resources.
func (r *Ring) Shutdown(context.Context) error { return nil }

// ForceFlush does nothing: spans are in the ring as soon as they end.
func (r *Ring) ForceFlush(context.Context) error { return nil }

// snapshot returns the kept spans, oldest first, as they may leave the
// process (redacted).
func (r *Ring) snapshot() []sdktrace.ReadOnlySpan {
	r.mu.Lock()
	var out []sdktrace.ReadOnlySpan
	if r.full {
		out = append(out, r.spans[r.next:]...)
	}
	out = append(out, r.spans[:r.next]...)
	r.mu.Unlock()
	for i, s := range out {
		out[i] = redactedSpan{s}
	}
	return out
}
