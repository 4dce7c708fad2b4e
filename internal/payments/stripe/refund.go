package stripe

import (
	"context"
	"errors"
	"fmt"

	stripeapi "github.com/stripe/stripe-go/v82"
)

// Refund refunds a captured intent in full; the key makes a repeated refund
// one refund. A key stuck on a replayed 5xx (replay.go) moves to a derived
// one once the intent's refunds show none was made: the shop refunds only
// in full, so any refund already there is this one, and a second full
// refund is refused by Stripe (charge_already_refunded), which counts as
// done.
func (g *Gateway) Refund(ctx context.Context, chargeID, idempotencyKey string) error {
	if idempotencyKey == "" {
		return fmt.Errorf("stripe: refund %s without an idempotency key", chargeID)
	}
	return g.withFreshKeys(idempotencyKey, func(key string) error {
		return g.call(ctx, func(ctx context.Context) error {
			p := &stripeapi.RefundCreateParams{PaymentIntent: stripeapi.String(chargeID)}
			p.SetIdempotencyKey(key)
			_, err := g.api.V1Refunds.Create(ctx, p)
			var se *stripeapi.Error
			if errors.As(err, &se) && se.Code == stripeapi.ErrorCodeChargeAlreadyRefunded {
				return nil
			}
			if err != nil {
				return classify("refund", err)
			}
			return nil
		})
	}, func() (bool, error) { return g.refunded(ctx, chargeID) })
}

// refunded reports whether an intent has a refund that is not failed or
// canceled (a list by intent reads current state, not a search index).
func (g *Gateway) refunded(ctx context.Context, chargeID string) (bool, error) {
	var done bool
	err := g.call(ctx, func(ctx context.Context) error {
		for r, err := range g.api.V1Refunds.List(ctx, &stripeapi.RefundListParams{PaymentIntent: stripeapi.String(chargeID)}) {
			if err != nil {
				return classify("list refunds", err)
			}
			if r.Status != stripeapi.RefundStatusFailed && r.Status != stripeapi.RefundStatusCanceled {
				done = true
				return nil
			}
		}
		return nil
	})
	return done, err
}

// Cancel voids an authorized intent that was never captured; the key makes
// a repeated cancel one cancel. A key stuck on a replayed 5xx moves to a
// derived one unless the intent is already canceled.
func (g *Gateway) Cancel(ctx context.Context, chargeID, idempotencyKey string) error {
	if idempotencyKey == "" {
		return fmt.Errorf("stripe: cancel %s without an idempotency key", chargeID)
	}
	return g.withFreshKeys(idempotencyKey, func(key string) error {
		return g.call(ctx, func(ctx context.Context) error {
			p := &stripeapi.PaymentIntentCancelParams{}
			p.SetIdempotencyKey(key)
			if _, err := g.api.V1PaymentIntents.Cancel(ctx, chargeID, p); err != nil {
				return classify("cancel", err)
			}
			return nil
		})
	}, func() (bool, error) {
		pi, err := g.retrieve(ctx, chargeID)
		if err != nil {
			return false, err
		}
		switch pi.Status {
		case stripeapi.PaymentIntentStatusCanceled:
			return true, nil
		case stripeapi.PaymentIntentStatusSucceeded:
			return false, fmt.Errorf("stripe: cancel: intent %s was captured; it can only be refunded", chargeID)
		}
		return false, nil
	})
}
