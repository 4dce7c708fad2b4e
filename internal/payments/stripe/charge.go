package stripe

import (
	"context"
	"errors"
	"fmt"
	"strconv"
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
	pm, err := g.paymentMethod(ctx, req)
	if err != nil {
		return payment.Receipt{}, err
	}
	pi, gen, err := g.authorize(ctx, req, pm)
	if err != nil {
		return payment.Receipt{}, err
	}
	switch pi.Status {
	case stripeapi.PaymentIntentStatusSucceeded:
		return receipt(pi, req.Amount), nil
	case stripeapi.PaymentIntentStatusRequiresAction:
		// The bank wants the shopper to authenticate (3-D Secure), which a
		// server-side charge cannot do: release the hold, answer a decline.
		g.void(ctx, pi.ID, derive(req.IdempotencyKey, gen))
		return payment.Receipt{}, &payment.DeclinedError{Code: "authentication_required",
			Message: "Your bank asked to confirm this payment; please use another card or try again."}
	}
	return g.capture(ctx, req, pi.ID, gen)
}

// authorize creates the intent under the charge key's first generation and,
// while that key is stuck on a replayed 5xx (replay.go), under the next.
// Before each move it searches the order's intents: one already captured
// is the answer, and a hold made under a stuck generation is voided. That
// hold is an orphan: the call that made it was answered with a 5xx, and so
// is every replay of it, so no one ever learned its id to capture it. The
// shop never captures an intent it found by searching, so an intent the
// lagging search missed costs at most a hold (voided later by Lookup, or
// released by Stripe after seven days), never a second charge. It returns
// the generation whose keys the intent's later calls use.
func (g *Gateway) authorize(ctx context.Context, req payment.ChargeRequest, pm string) (*stripeapi.PaymentIntent, int, error) {
	for gen := 0; ; gen++ {
		pi, err := g.createIntent(ctx, req, pm, gen)
		if err == nil || !stuck(err) || gen == maxGenerations {
			return pi, gen, err
		}
		intents, serr := g.intentsFor(ctx, req.IdempotencyKey)
		if serr != nil {
			return nil, gen, serr
		}
		for _, found := range intents {
			if found.Status == stripeapi.PaymentIntentStatusSucceeded {
				return found, generation(found), nil
			}
		}
		for _, found := range intents {
			if fg := generation(found); found.Status == stripeapi.PaymentIntentStatusRequiresCapture && fg <= gen {
				g.void(ctx, found.ID, derive(req.IdempotencyKey, fg))
			}
		}
		g.logger.Warn("stripe: authorization key replays a 5xx and the order has no charge; authorizing under a derived key",
			"order_id", req.OrderID, "generation", gen+1)
	}
}

// createIntent makes generation gen's intent. The first generation sends
// exactly what Charge always sent, so a retry across an upgrade still
// matches its key's original request.
func (g *Gateway) createIntent(ctx context.Context, req payment.ChargeRequest, pm string, gen int) (*stripeapi.PaymentIntent, error) {
	var pi *stripeapi.PaymentIntent
	err := g.call(ctx, func(ctx context.Context) error {
		p := &stripeapi.PaymentIntentCreateParams{
			Amount: stripeapi.Int64(req.Amount.Amount), Currency: stripeapi.String(strings.ToLower(req.Amount.Currency)),
			PaymentMethod: stripeapi.String(pm), PaymentMethodTypes: stripeapi.StringSlice([]string{"card"}),
			Confirm: stripeapi.Bool(true), CaptureMethod: stripeapi.String(string(stripeapi.PaymentIntentCaptureMethodManual)),
		}
		p.AddMetadata("order_id", req.OrderID)
		p.AddMetadata("idempotency_key", req.IdempotencyKey)
		if gen > 0 {
			p.AddMetadata("generation", strconv.Itoa(gen))
		}
		p.SetIdempotencyKey(derive(req.IdempotencyKey, gen) + ":authorize")
		var err error
		if pi, err = g.api.V1PaymentIntents.Create(ctx, p); err != nil {
			return classify("authorize", err)
		}
		return nil
	})
	return pi, err
}

// capture captures an authorized intent under its generation's key. A
// capture stuck on a replayed 5xx is retried under a derived key only
// after reading the intent: Stripe captures an intent once whatever the
// key, and the read says whether the stuck call did.
func (g *Gateway) capture(ctx context.Context, req payment.ChargeRequest, authorized string, gen int) (payment.Receipt, error) {
	chargeKey := derive(req.IdempotencyKey, gen)
	var captured *stripeapi.PaymentIntent
	err := g.withFreshKeys(chargeKey+":capture", func(key string) error {
		return g.call(ctx, func(ctx context.Context) error {
			p := &stripeapi.PaymentIntentCaptureParams{}
			p.SetIdempotencyKey(key)
			cpi, err := g.api.V1PaymentIntents.Capture(ctx, authorized, p)
			if err != nil {
				return classify("capture", err)
			}
			captured = cpi
			return nil
		})
	}, func() (bool, error) {
		cur, err := g.retrieve(ctx, authorized)
		if err != nil {
			return false, err
		}
		switch cur.Status {
		case stripeapi.PaymentIntentStatusSucceeded:
			captured = cur
			return true, nil
		case stripeapi.PaymentIntentStatusRequiresCapture:
			return false, nil
		}
		return false, fmt.Errorf("%w: stripe: capture: intent %s is %s", payment.ErrUnavailable, authorized, cur.Status)
	})
	if err != nil {
		if !errors.Is(err, payment.ErrUnavailable) {
			// A definite refusal (a decline at capture, an expired
			// authorization): nothing was captured, so the hold goes too.
			// An unknown outcome keeps it: the caller's retry with the same
			// key replays the authorization and captures it.
			g.void(ctx, authorized, chargeKey)
		}
		return payment.Receipt{}, err
	}
	return receipt(captured, req.Amount), nil
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
// between the two calls, or its key was stuck on a 5xx) is voided: callers
// ask only once they have given up on the charge, and then settle the
// order by the answer, so no hold may stay on the shopper's card. Stripe's
// search index lags writes by up to a minute; callers ask long after the
// charge (recovery waits minutes, the workflow exhausts its retries first).
func (g *Gateway) Lookup(ctx context.Context, idempotencyKey string) (payment.Receipt, bool, error) {
	intents, err := g.intentsFor(ctx, idempotencyKey)
	if err != nil {
		return payment.Receipt{}, false, err
	}
	var found *stripeapi.PaymentIntent
	for _, pi := range intents {
		switch pi.Status {
		case stripeapi.PaymentIntentStatusSucceeded:
			if found == nil {
				found = pi
			}
		case stripeapi.PaymentIntentStatusRequiresCapture:
			g.void(ctx, pi.ID, derive(idempotencyKey, generation(pi)))
		}
	}
	if found == nil {
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
