package stripe

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	stripeapi "github.com/stripe/stripe-go/v82"
)

// Stripe keeps the first answer to an idempotency key for 24 hours and
// replays it to every retry, a 5xx included. A key whose first attempt met
// an outage is therefore stuck: retrying it cannot succeed however healthy
// Stripe is again, and the caller's retries (the workflow's step) would
// end in a void. The way out is a derived key (key:r1, key:r2, ...), taken
// only once Stripe's own records say the stuck call's work was not done,
// and after a bounded number of generations.
//
// A stuck call is recognised by its replay (Idempotent-Replayed: true), not
// by the first 5xx: Stripe advises retrying that with the same key, the
// caller does so after a backoff, and by then a PaymentIntent the failed
// call may have created has had time to reach the search index.

// maxGenerations bounds the derived keys tried after a stuck one.
const maxGenerations = 3

// stuck reports whether err is Stripe replaying a cached 5xx.
func stuck(err error) bool {
	var se *stripeapi.Error
	if !errors.As(err, &se) || se.HTTPStatusCode < http.StatusInternalServerError || se.LastResponse == nil {
		return false
	}
	return se.LastResponse.Header.Get("Idempotent-Replayed") == "true"
}

// derive returns generation gen of key: the key itself first, then
// key:r1, key:r2, ...
func derive(key string, gen int) string {
	if gen == 0 {
		return key
	}
	return key + ":r" + strconv.Itoa(gen)
}

// withFreshKeys runs op under key and, while Stripe answers with a replayed
// 5xx, asks settled whether the work was done after all (then it is
// finished) before running op under the next generation of the key. It is
// for calls whose effect Stripe itself allows once per object (a capture, a
// cancel, a full refund) or that move no money, so settled needs no search
// index: it reads the object.
func (g *Gateway) withFreshKeys(key string, op func(key string) error, settled func() (done bool, err error)) error {
	for gen := 0; ; gen++ {
		err := op(derive(key, gen))
		if err == nil || !stuck(err) || gen == maxGenerations {
			return err
		}
		done, serr := settled()
		if serr != nil {
			return serr
		}
		if done {
			return nil
		}
		g.logger.Warn("stripe: a 5xx is replayed under an idempotency key; retrying under a derived key",
			"key", derive(key, gen), "next", derive(key, gen+1))
	}
}

// generation reads which generation of the charge key made an intent;
// intents made before generations existed, and the first, carry none.
func generation(pi *stripeapi.PaymentIntent) int {
	n, err := strconv.Atoi(pi.Metadata["generation"])
	if err != nil {
		return 0
	}
	return n
}

// intentsFor returns the intents Charge made with a charge key, through
// Stripe's search by the metadata Charge writes. Search lags writes (up to
// a minute), so an empty answer is no proof; callers use it only where a
// missed intent costs at most a hold Stripe releases by itself.
func (g *Gateway) intentsFor(ctx context.Context, chargeKey string) ([]*stripeapi.PaymentIntent, error) {
	var out []*stripeapi.PaymentIntent
	err := g.call(ctx, func(ctx context.Context) error {
		q := fmt.Sprintf("metadata['idempotency_key']:'%s'", strings.ReplaceAll(chargeKey, "'", `\'`))
		for pi, err := range g.api.V1PaymentIntents.Search(ctx, &stripeapi.PaymentIntentSearchParams{SearchParams: stripeapi.SearchParams{Query: q}}) {
			if err != nil {
				return classify("search", err)
			}
			// The query says so already; checked again so that a search
			// that ignores it (stripe-mock's fixtures) finds nothing.
			if pi.Metadata["idempotency_key"] == chargeKey {
				out = append(out, pi)
			}
		}
		return nil
	})
	return out, err
}

// retrieve reads an intent as Stripe has it now (not from the search
// index: a read by id is current).
func (g *Gateway) retrieve(ctx context.Context, id string) (*stripeapi.PaymentIntent, error) {
	var pi *stripeapi.PaymentIntent
	err := g.call(ctx, func(ctx context.Context) error {
		var err error
		if pi, err = g.api.V1PaymentIntents.Retrieve(ctx, id, &stripeapi.PaymentIntentRetrieveParams{}); err != nil {
			return classify("retrieve", err)
		}
		return nil
	})
	return pi, err
}
