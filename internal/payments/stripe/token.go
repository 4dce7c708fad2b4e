package stripe

import (
	"context"
	"errors"
	"net/http"
	"strings"

	stripeapi "github.com/stripe/stripe-go/v82"

	"github.com/peakshop/peakshop/internal/domain/payment"
)

// invalidToken is the decline for payment details Stripe cannot use.
func invalidToken() *payment.DeclinedError {
	return &payment.DeclinedError{Code: "invalid_token", Message: "Your payment details could not be used. Please check them and try again."}
}

// paymentMethod returns the PaymentMethod to confirm the intent with. A
// PaymentMethod id (pm_..., such as Stripe's pm_card_visa) is used as it
// is. A card token (tok_..., what older clients and the simulator's docs
// send) is first turned into a PaymentMethod with card[token], the one way
// Stripe documents: a PaymentIntent's payment_method_data takes no card
// (stripe-mock refuses type=card there as Stripe does). The conversion has
// its own key, so a retried charge confirms with the same PaymentMethod and
// a single-use token is spent once. Other ids (card_..., src_...) go to
// Stripe unchanged; it knows whether they can pay.
func (g *Gateway) paymentMethod(ctx context.Context, req payment.ChargeRequest) (string, error) {
	if req.Token == "" {
		return "", invalidToken()
	}
	if !strings.HasPrefix(req.Token, "tok_") {
		return req.Token, nil
	}
	var id string
	err := g.withFreshKeys(req.IdempotencyKey+":payment_method", func(key string) error {
		return g.call(ctx, func(ctx context.Context) error {
			p := &stripeapi.PaymentMethodCreateParams{Type: stripeapi.String("card"),
				Card: &stripeapi.PaymentMethodCreateCardParams{Token: stripeapi.String(req.Token)}}
			p.SetIdempotencyKey(key)
			pm, err := g.api.V1PaymentMethods.Create(ctx, p)
			if err != nil {
				return classifyToken(err)
			}
			id = pm.ID
			return nil
		})
	}, func() (bool, error) {
		// A PaymentMethod moves no money: a second one from the same
		// token is harmless, so a stuck key needs no look first.
		return false, nil
	})
	return id, err
}

// classifyToken reads a refused conversion: a token Stripe does not know,
// or has already used, is the shopper's bad token, a decline.
func classifyToken(err error) error {
	var se *stripeapi.Error
	if errors.As(err, &se) && se.Type == stripeapi.ErrorTypeInvalidRequest && se.HTTPStatusCode == http.StatusBadRequest {
		return invalidToken()
	}
	return classify("payment method", err)
}
