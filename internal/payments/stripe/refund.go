package stripe

import (
	"context"
	"fmt"

	stripeapi "github.com/stripe/stripe-go/v82"
)

// Refund refunds a captured intent in full; the key makes a repeated refund
// one refund.
func (g *Gateway) Refund(ctx context.Context, chargeID, idempotencyKey string) error {
	if idempotencyKey == "" {
		return fmt.Errorf("stripe: refund %s without an idempotency key", chargeID)
	}
	return g.call(func() error {
		ctx, cancel := context.WithTimeout(ctx, g.timeout)
		defer cancel()
		p := &stripeapi.RefundCreateParams{PaymentIntent: stripeapi.String(chargeID)}
		p.SetIdempotencyKey(idempotencyKey)
		if _, err := g.api.V1Refunds.Create(ctx, p); err != nil {
			return classify("refund", err)
		}
		return nil
	})
}

// Cancel voids an authorized intent that was never captured; the key makes
// a repeated cancel one cancel.
func (g *Gateway) Cancel(ctx context.Context, chargeID, idempotencyKey string) error {
	if idempotencyKey == "" {
		return fmt.Errorf("stripe: cancel %s without an idempotency key", chargeID)
	}
	return g.call(func() error {
		ctx, cancel := context.WithTimeout(ctx, g.timeout)
		defer cancel()
		p := &stripeapi.PaymentIntentCancelParams{}
		p.SetIdempotencyKey(idempotencyKey)
		if _, err := g.api.V1PaymentIntents.Cancel(ctx, chargeID, p); err != nil {
			return classify("cancel", err)
		}
		return nil
	})
}
