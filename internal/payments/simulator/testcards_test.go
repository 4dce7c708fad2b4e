package simulator

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/peakshop/peakshop/internal/domain/payment"
	"github.com/peakshop/peakshop/internal/payments/testcards"
)

// The simulator gives Stripe's pm_card_ test PaymentMethods and the older
// tok_ tokens the same meanings, from the list the Stripe gateway's tests
// run too.
func TestSharedTestCards(t *testing.T) {
	for mode, open := range modes() {
		t.Run(mode, func(t *testing.T) {
			s := open(t, Options{Seed: 1})
			for i, c := range testcards.All() {
				t.Run(c.Token, func(t *testing.T) {
					_, err := s.Charge(context.Background(), request(fmt.Sprint("card", i), c.Token))
					if c.Decline == "" {
						if err != nil {
							t.Fatalf("err = %v, want a receipt", err)
						}
						return
					}
					var d *payment.DeclinedError
					if !errors.As(err, &d) || d.Code != c.Decline {
						t.Fatalf("err = %v, want the %s decline", err, c.Decline)
					}
				})
			}
			for _, bad := range []string{"pm_card_", "pm_card_nonsense", "pm_nonsense"} {
				var d *payment.DeclinedError
				if _, err := s.Charge(context.Background(), request("bad-"+bad, bad)); !errors.As(err, &d) || d.Code != codeInvalidToken {
					t.Errorf("%q: err = %v, want invalid_token", bad, err)
				}
			}
		})
	}
}
