// Package synthetic recognises traffic from load rehearsals: requests that
// carry the W3C baggage member synthetic=true (set by the load tool). Such
// traffic counts in the technical figures (it is real load) but is kept out
// of the business ones (orders, revenue, declines, stock-outs).
//
// It lives in platform because both the API (which counts business figures)
// and telemetry (which stands beside the shop) need the same one definition.
package synthetic

import (
	"context"

	"go.opentelemetry.io/otel/baggage"
)

// BaggageKey is the W3C baggage member that marks synthetic traffic.
const BaggageKey = "synthetic"

// FromContext reports whether ctx carries baggage synthetic=true (put there
// by the HTTP middleware's propagator from the request's baggage header).
func FromContext(ctx context.Context) bool {
	return baggage.FromContext(ctx).Member(BaggageKey).Value() == "true"
}

// With returns ctx marked as synthetic, keeping any other baggage, so that
// outgoing requests made with it (through an OpenTelemetry propagator) carry
// the marker on. The load tool uses it.
func With(ctx context.Context) context.Context {
	m, err := baggage.NewMember(BaggageKey, "true")
	if err != nil {
		return ctx // cannot happen: the key and value are valid constants
	}
	b, err := baggage.FromContext(ctx).SetMember(m)
	if err != nil {
		return ctx
	}
	return baggage.ContextWithBaggage(ctx, b)
}
