package stripe_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/peakshop/peakshop/internal/domain/payment"
	"github.com/peakshop/peakshop/internal/payments/stripe"
	"github.com/peakshop/peakshop/internal/payments/stripe/stripetest"
	"github.com/peakshop/peakshop/internal/payments/testcards"
)

// Every test card the simulator honours reaches Stripe in a form Stripe
// takes: a pm_ id as the intent's payment_method, a tok_ token first
// turned into a PaymentMethod with card[token] under its own key.
// stripe-mock validates each request against Stripe's API description but
// answers from fixtures, so what a card means (pays, which decline) is
// checked on the simulator with the same list; here, that each form is a
// request Stripe accepts.
func TestSharedTestCardsAgainstStripeMock(t *testing.T) {
	mock := stripetest.Start(t)
	for i, c := range testcards.All() {
		t.Run(c.Token, func(t *testing.T) {
			rec := &recorder{}
			g := mustGateway(t, stripe.Config{URL: rec.proxy(t, mock)})
			key := fmt.Sprintf("card%d:charge", i)
			r, err := g.Charge(context.Background(), payment.ChargeRequest{IdempotencyKey: key, OrderID: fmt.Sprint("card", i),
				Amount: fiveDollars, Token: c.Token})
			if err != nil {
				t.Fatalf("charge: %v", err)
			}
			if !strings.HasPrefix(r.ChargeID, "pi_") {
				t.Errorf("receipt %+v", r)
			}
			rec.mu.Lock()
			defer rec.mu.Unlock()
			joined := strings.Join(rec.seen, "\n")
			var want []string
			if strings.HasPrefix(c.Token, "pm_") {
				want = []string{"POST /v1/payment_intents key=" + key + ":authorize order=card" + fmt.Sprint(i) + " pm=" + c.Token + " "}
				if strings.Contains(joined, "/v1/payment_methods") {
					t.Errorf("a PaymentMethod was made from a PaymentMethod id:\n%s", joined)
				}
			} else {
				want = []string{"POST /v1/payment_methods key=" + key + ":payment_method order= pm= card_token=" + c.Token,
					"POST /v1/payment_intents key=" + key + ":authorize order=card" + fmt.Sprint(i) + " pm=pm_"}
			}
			for _, w := range want {
				if !strings.Contains(joined, w) {
					t.Errorf("no request with %q in\n%s", w, joined)
				}
			}
		})
	}
}

// A token Stripe will not turn into a PaymentMethod (unknown, or used
// already) is the shopper's bad token: a decline, and no intent.
func TestUnusableCardTokenIsADecline(t *testing.T) {
	f := &fakeStripe{answers: map[string]string{
		"POST /v1/payment_methods": `400 {"error":{"type":"invalid_request_error","code":"resource_missing","param":"card[token]","message":"No such token"}}`,
	}}
	g := mustGateway(t, stripe.Config{URL: f.start(t), BreakerFailures: 1})
	for _, token := range []string{"tok_nonsense", ""} {
		_, err := g.Charge(context.Background(), payment.ChargeRequest{IdempotencyKey: "o:charge", OrderID: "o", Amount: fiveDollars, Token: token})
		var d *payment.DeclinedError
		if !errors.As(err, &d) || d.Code != "invalid_token" {
			t.Fatalf("%q: err = %v, want invalid_token", token, err)
		}
	}
	if calls := f.called(); strings.Contains(calls, "/v1/payment_intents") || strings.Count(calls, "/v1/payment_methods") != 1 {
		t.Errorf("calls:\n%s", calls)
	}
}
