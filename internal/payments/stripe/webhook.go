package stripe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	stripeapi "github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"

	"github.com/peakshop/peakshop/internal/domain/payment"
)

var _ payment.EventVerifier = (*Webhooks)(nil)

// Tolerance is how old a webhook's signed timestamp may be: Stripe's own
// default, which bounds how long a captured delivery can be replayed.
const Tolerance = 5 * time.Minute

// kindOf maps the Stripe events the shop records to its own words; ""
// for the rest.
func kindOf(t stripeapi.EventType) payment.EventKind {
	switch t {
	case stripeapi.EventTypePaymentIntentSucceeded:
		return payment.EventSucceeded
	case stripeapi.EventTypePaymentIntentPaymentFailed:
		return payment.EventFailed
	case stripeapi.EventTypePaymentIntentCanceled:
		return payment.EventCanceled
	case stripeapi.EventTypeChargeRefunded:
		return payment.EventRefunded
	}
	return ""
}

// Webhooks verifies Stripe's webhook deliveries with the endpoint's signing
// secret (whsec_...) and reads the order they concern.
type Webhooks struct {
	secret string
	g      *Gateway
}

// Webhooks returns the verifier for an endpoint's signing secret. It uses
// the gateway only to find the order of a refunded charge whose metadata
// lacks it.
func (g *Gateway) Webhooks(secret string) (*Webhooks, error) {
	if secret == "" {
		return nil, errors.New("stripe: no webhook signing secret")
	}
	return &Webhooks{secret: secret, g: g}, nil
}

// Provider names Stripe in payment records.
func (w *Webhooks) Provider() string { return "stripe" }

// VerifyEvent checks the Stripe-Signature header (HMAC-SHA256 of the
// timestamp and body, the timestamp within Tolerance) and reads the event.
// The API version of the event is not checked: only ids and metadata are
// read, which every version carries alike, and refusing a version would
// make Stripe retry a delivery that can never succeed.
func (w *Webhooks) VerifyEvent(ctx context.Context, payload []byte, signature string) (payment.Event, error) {
	ev, err := webhook.ConstructEventWithOptions(payload, signature, w.secret,
		webhook.ConstructEventOptions{Tolerance: Tolerance, IgnoreAPIVersionMismatch: true})
	if err != nil {
		return payment.Event{}, fmt.Errorf("%w: %w", payment.ErrBadSignature, err)
	}
	if ev.ID == "" || ev.Type == "" {
		return payment.Event{}, fmt.Errorf("%w: event without id or type", payment.ErrBadSignature)
	}
	out := payment.Event{ID: ev.ID, Type: string(ev.Type), Kind: kindOf(ev.Type)}
	if out.Kind == "" || ev.Data == nil {
		out.Kind = ""
		return out, nil
	}
	if ev.Type == stripeapi.EventTypeChargeRefunded {
		return w.refunded(ctx, out, ev.Data.Raw)
	}
	var pi stripeapi.PaymentIntent
	if err := json.Unmarshal(ev.Data.Raw, &pi); err != nil {
		return payment.Event{}, fmt.Errorf("%w: payment intent: %w", payment.ErrBadSignature, err)
	}
	out.PaymentID, out.OrderID = pi.ID, pi.Metadata["order_id"]
	return out, nil
}

// refunded reads a charge.refunded event. The shop's payment id is the
// PaymentIntent's; Stripe copies an intent's metadata onto its charges, but
// for a charge that lacks it the intent is asked.
func (w *Webhooks) refunded(ctx context.Context, out payment.Event, raw json.RawMessage) (payment.Event, error) {
	var ch stripeapi.Charge
	if err := json.Unmarshal(raw, &ch); err != nil {
		return payment.Event{}, fmt.Errorf("%w: charge: %w", payment.ErrBadSignature, err)
	}
	out.OrderID = ch.Metadata["order_id"]
	if ch.PaymentIntent == nil || ch.PaymentIntent.ID == "" {
		out.PaymentID = ch.ID
		return out, nil
	}
	out.PaymentID = ch.PaymentIntent.ID
	if out.OrderID != "" {
		return out, nil
	}
	var pi *stripeapi.PaymentIntent
	err := w.g.call(ctx, func(ctx context.Context) error {
		var err error
		if pi, err = w.g.api.V1PaymentIntents.Retrieve(ctx, out.PaymentID, nil); err != nil {
			return classify("retrieve", err)
		}
		return nil
	})
	switch {
	case errors.Is(err, payment.ErrUnavailable):
		return payment.Event{}, err // Stripe delivers again later
	case err != nil:
		return out, nil // no such intent: not the shop's payment
	}
	out.OrderID = pi.Metadata["order_id"]
	return out, nil
}
