// Package msgtrace carries a message's W3C trace context (traceparent,
// tracestate, baggage) across a gap in time: captured from the request that
// recorded an event, stored beside it (the outbox row), and handed, per
// message, to whoever publishes the event later (the relay's batch).
//
// It lives in platform because storage (which captures), the outbox relay
// (which reads the stored form) and the broker adapter (which writes message
// headers) all need the one format, and none of them may import another.
// It holds headers, never spans: making spans is the publisher's business.
package msgtrace

import (
	"context"
	"encoding/json"

	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/propagation"

	"github.com/peakshop/peakshop/internal/platform/synthetic"
)

// Headers are W3C trace headers by their lower-case names.
type Headers = propagation.MapCarrier

// Propagator reads and writes traceparent, tracestate and the baggage
// members messages may carry (AllowedBaggage). It is stateless, so one
// value serves every caller.
var Propagator propagation.TextMapPropagator = propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, allowedBaggage{})

// AllowedBaggage are the baggage members that travel with messages: the
// synthetic marker. Baggage arrives from callers unchecked, and whatever
// else a client put there (a user id, an e-mail address) must not be
// stored in the outbox or copied into message headers.
var AllowedBaggage = []string{synthetic.BaggageKey}

// allowedBaggage is W3C baggage limited to AllowedBaggage, both ways.
type allowedBaggage struct{}

func (allowedBaggage) Inject(ctx context.Context, c propagation.TextMapCarrier) {
	propagation.Baggage{}.Inject(baggage.ContextWithBaggage(ctx, allowed(baggage.FromContext(ctx))), c)
}

func (allowedBaggage) Extract(ctx context.Context, c propagation.TextMapCarrier) context.Context {
	ctx = propagation.Baggage{}.Extract(ctx, c)
	return baggage.ContextWithBaggage(ctx, allowed(baggage.FromContext(ctx)))
}

func (allowedBaggage) Fields() []string { return propagation.Baggage{}.Fields() }

func allowed(b baggage.Baggage) baggage.Baggage {
	var keep []baggage.Member
	for _, k := range AllowedBaggage {
		if m := b.Member(k); m.Key() != "" {
			keep = append(keep, m)
		}
	}
	out, err := baggage.New(keep...)
	if err != nil {
		return baggage.Baggage{}
	}
	return out
}

// Capture returns ctx's trace context and baggage in their stored form (a
// small JSON object), or "" when ctx carries neither: an event recorded
// outside a request, or by a shop with telemetry off.
func Capture(ctx context.Context) string {
	h := Headers{}
	Propagator.Inject(ctx, h)
	if len(h) == 0 {
		return ""
	}
	b, err := json.Marshal(h)
	if err != nil {
		return "" // a map of strings always encodes
	}
	return string(b)
}

// Parse reads the stored form back; "" or anything unreadable is nil (a
// message then simply starts no trace: tracing must never stop an event).
func Parse(stored string) Headers {
	if stored == "" {
		return nil
	}
	var h Headers
	if json.Unmarshal([]byte(stored), &h) != nil {
		return nil
	}
	return h
}

type batchKey struct{}

// WithBatch returns ctx carrying each message's headers by message id, for
// a publisher handed a batch whose messages were recorded by different
// requests.
func WithBatch(ctx context.Context, byID map[string]Headers) context.Context {
	if len(byID) == 0 {
		return ctx
	}
	return context.WithValue(ctx, batchKey{}, byID)
}

// Context returns the context message id should be published with: ctx
// with the message's own trace context and baggage when the batch has them,
// else ctx itself (a direct publish inside a request continues its trace).
func Context(ctx context.Context, id string) context.Context {
	byID, _ := ctx.Value(batchKey{}).(map[string]Headers)
	if h := byID[id]; len(h) > 0 {
		return Propagator.Extract(ctx, h)
	}
	return ctx
}
