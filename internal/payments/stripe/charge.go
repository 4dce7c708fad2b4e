package stripe

import (
	"context"
	"fmt"
	"strings"

	stripeapi "github.com/stripe/stripe-go/v82"

	"github.com/peakshop/peakshop/internal/domain/money"
	"github.com/peakshop/peakshop/internal/domain/payment"
)

// Charge authorizes (a PaymentIntent confirmed with manual capture) and
// then captures, each with its own key derived from the caller's, so a
// retried charge neither authorizes nor captures twice. The caller's key is
// kept in the intent's metadata for Lookup.
func (g *Gateway) Charge(ctx context.Context, req payment.ChargeRequest) (payment.Receipt, error) {
	if req.IdempotencyKey == "" {
		return payment.Receipt{}, fmt.Errorf("stripe: charge %s without an idempotency key", req.OrderID)
	}
	var pi *stripeapi.PaymentIntent
	err := g.call(func() error {
		ctx, cancel := context.WithTimeout(ctx, g.timeout)
		defer cancel()
		p := &stripeapi.PaymentIntentCreateParams{
			Amount: stripeapi.Int64(req.Amount.Amount), Currency: stripeapi.String(strings.ToLower(req.Amount.Currency)),
			PaymentMethod: stripeapi.String(req.Token), PaymentMethodTypes: stripeapi.StringSlice([]string{"card"}),
			Confirm: stripeapi.Bool(true), CaptureMethod: stripeapi.String(string(stripeapi.PaymentIntentCaptureMethodManual)),
		}
		p.AddMetadata("order_id", req.OrderID)
		p.AddMetadata("idempotency_key", req.IdempotencyKey)
		p.SetIdempotencyKey(req.IdempotencyKey + ":authorize")
		var err error
		if pi, err = g.api.V1PaymentIntents.Create(ctx, p); err != nil {
			return classify("authorize", err)
		}
		return nil
	})
	if err != nil {
		return payment.Receipt{}, err
	}
	if pi.Status == stripeapi.PaymentIntentStatusSucceeded {
		return receipt(pi, req.Amount), nil
	}
	err = g.call(func() error {
		ctx, cancel := context.WithTimeout(ctx, g.timeout)
		defer cancel()
		p := &stripeapi.PaymentIntentCaptureParams{}
		p.SetIdempotencyKey(req.IdempotencyKey + ":capture")
		var err error
		if pi, err = g.api.V1PaymentIntents.Capture(ctx, pi.ID, p); err != nil {
			return classify("capture", err)
		}
		return nil
	})
	if err != nil {
		return payment.Receipt{}, err
	}
	return receipt(pi, req.Amount), nil
}

// Lookup finds the intent charged with an idempotency key through Stripe's
// search (by the metadata Charge wrote) and reports it if it was captured.
func (g *Gateway) Lookup(ctx context.Context, idempotencyKey string) (payment.Receipt, bool, error) {
	var found *stripeapi.PaymentIntent
	err := g.call(func() error {
		ctx, cancel := context.WithTimeout(ctx, g.timeout)
		defer cancel()
		q := fmt.Sprintf("metadata['idempotency_key']:'%s'", strings.ReplaceAll(idempotencyKey, "'", `\'`))
		for pi, err := range g.api.V1PaymentIntents.Search(ctx, &stripeapi.PaymentIntentSearchParams{SearchParams: stripeapi.SearchParams{Query: q}}) {
			if err != nil {
				return classify("lookup", err)
			}
			if pi.Status == stripeapi.PaymentIntentStatusSucceeded {
				found = pi
				return nil
			}
		}
		return nil
	})
	if err != nil || found == nil {
		return payment.Receipt{}, false, err
	}
	return receipt(found, money.Money{}), true, nil
}

// receipt reads what Stripe captured; want fills the currency's case and
// stands in where a mock leaves the amount out.
func receipt(pi *stripeapi.PaymentIntent, want money.Money) payment.Receipt {
	amt := money.Money{Amount: pi.AmountReceived, Currency: strings.ToUpper(string(pi.Currency))}
	if amt.Amount == 0 {
		amt.Amount = pi.Amount
	}
	if want.Currency != "" && strings.EqualFold(want.Currency, amt.Currency) {
		amt.Currency = want.Currency
	}
	return payment.Receipt{ChargeID: pi.ID, Amount: amt}
}
