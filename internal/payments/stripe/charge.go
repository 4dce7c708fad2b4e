package stripe

import (
	"context"
	"errors"
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
	switch pi.Status {
	case stripeapi.PaymentIntentStatusSucceeded:
		return receipt(pi, req.Amount), nil
	case stripeapi.PaymentIntentStatusRequiresAction:
		// The bank wants the shopper to authenticate (3-D Secure), which a
		// server-side charge cannot do: release the hold, answer a decline.
		g.void(ctx, pi.ID, req.IdempotencyKey)
		return payment.Receipt{}, &payment.DeclinedError{Code: "authentication_required",
			Message: "Your bank asked to confirm this payment; please use another card or try again."}
	}
	authorized := pi.ID
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
		if !errors.Is(err, payment.ErrUnavailable) {
			// A definite refusal (a decline at capture, an expired
			// authorization): nothing was captured, so the hold goes too.
			// An unknown outcome keeps it: the caller's retry with the same
			// key replays the authorization and captures it.
			g.void(ctx, authorized, req.IdempotencyKey)
		}
		return payment.Receipt{}, err
	}
	return receipt(pi, req.Amount), nil
}

// void cancels an authorization that will not be captured, with the key
// <charge key>:cancel. It is best effort: a hold Stripe still has lapses by
// itself after seven days, and the caller's answer does not depend on it.
func (g *Gateway) void(ctx context.Context, intentID, chargeKey string) {
	if err := g.Cancel(context.WithoutCancel(ctx), intentID, chargeKey+":cancel"); err != nil {
		g.logger.Warn("stripe: could not void an authorization", "payment_intent", intentID, "err", err)
	}
}

// Lookup finds the intent charged with an idempotency key through Stripe's
// search (by the metadata Charge wrote) and reports it if it was captured.
// An intent authorized but never captured (the charging process died
// between the two calls) is voided and reported as not found: callers ask
// only once they have given up on the charge, and then settle the order as
// not paid, so the hold on the shopper's card must go too. Stripe's search
// index lags writes by up to a minute; callers ask long after the charge
// (recovery waits minutes, the workflow exhausts its retries first).
func (g *Gateway) Lookup(ctx context.Context, idempotencyKey string) (payment.Receipt, bool, error) {
	var found *stripeapi.PaymentIntent
	var holds []string
	err := g.call(func() error {
		ctx, cancel := context.WithTimeout(ctx, g.timeout)
		defer cancel()
		q := fmt.Sprintf("metadata['idempotency_key']:'%s'", strings.ReplaceAll(idempotencyKey, "'", `\'`))
		for pi, err := range g.api.V1PaymentIntents.Search(ctx, &stripeapi.PaymentIntentSearchParams{SearchParams: stripeapi.SearchParams{Query: q}}) {
			if err != nil {
				return classify("lookup", err)
			}
			switch pi.Status {
			case stripeapi.PaymentIntentStatusSucceeded:
				found = pi
				return nil
			case stripeapi.PaymentIntentStatusRequiresCapture:
				holds = append(holds, pi.ID)
			}
		}
		return nil
	})
	if err != nil {
		return payment.Receipt{}, false, err
	}
	if found == nil {
		for _, id := range holds {
			g.void(ctx, id, idempotencyKey)
		}
		return payment.Receipt{}, false, nil
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
