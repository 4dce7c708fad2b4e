package loadgen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// journey is a scenario journey with its steps parsed once.
type journey struct {
	name   string
	weight float64
	steps  []Step
	think  Think
}

// shopper is one virtual shopper's session: a browser (cookie jar), a
// random source of its own, and what it has picked so far.
type shopper struct {
	r     *runner
	jar   *jar
	rng   *rand.Rand
	cart  string
	sku   string
	seq   uint64
	tries int
}

// shop walks one journey. It returns when the journey ends, a step fails
// (a shopper who gets an error page leaves), or the run stops.
func (s *shopper) shop(ctx context.Context, j *journey) {
	s.r.rec.funnel.sessions.Add(1)
	for i, st := range j.steps {
		if i > 0 && !s.think(ctx, j.think) {
			return
		}
		if st.Kind == StepAbandon {
			if s.cart != "" {
				s.r.rec.funnel.abandoned.Add(1)
			}
			return
		}
		if !s.step(ctx, st) {
			return
		}
	}
}

// think pauses like a person reading a page; false when the run stops.
func (s *shopper) think(ctx context.Context, t Think) bool {
	d := t.Min.D()
	if span := t.Max.D() - d; span > 0 {
		d += time.Duration(s.rng.Int64N(int64(span)))
	}
	if d <= 0 {
		return !s.r.cutting()
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return !s.r.cutting()
	case <-s.r.cut:
		return false
	case <-ctx.Done():
		return false
	}
}

// step runs one step and reports whether the shopper carries on.
func (s *shopper) step(ctx context.Context, st Step) bool {
	c := s.r.cat
	switch st.Kind {
	case StepHome:
		return s.page(ctx, StepHome, "/")
	case StepGet:
		return s.page(ctx, StepGet, st.Path)
	case StepCategory:
		return s.page(ctx, StepCategory, "/c/"+url.PathEscape(pick(s.rng, c.categories)))
	case StepSearch:
		return s.page(ctx, StepSearch, "/search?q="+url.QueryEscape(pick(s.rng, s.r.sc.SearchTerms)))
	case StepProduct:
		p := pick(s.rng, c.products)
		s.sku = pickSKU(s.rng, p)
		return s.page(ctx, StepProduct, "/products/"+url.PathEscape(p.Slug))
	case StepHotProduct:
		p := pick(s.rng, c.hot)
		s.sku = pickSKU(s.rng, p)
		return s.page(ctx, StepHotProduct, "/products/"+url.PathEscape(p.Slug))
	case StepAddCart:
		return s.addToCart(ctx)
	case StepCheckout:
		return s.checkout(ctx)
	}
	return false
}

// page fetches a page and records it; any 4xx or 5xx is an error.
func (s *shopper) page(ctx context.Context, step, path string) bool {
	ex := s.r.do(ctx, s.jar, call{method: http.MethodGet, path: path})
	return s.r.record(ctx, step, ex)
}

// addToCart makes the session's cart on first use, then puts one of the
// product last viewed (or a random one) into it through the JSON API.
func (s *shopper) addToCart(ctx context.Context) bool {
	if s.cart == "" {
		ex := s.r.do(ctx, s.jar, call{method: http.MethodPost, path: "/api/v1/carts", keep: true})
		var cart struct {
			ID string `json:"id"`
		}
		if ex.err == nil && ex.status < 300 {
			if err := json.Unmarshal(ex.body, &cart); err != nil || cart.ID == "" {
				ex.err = fmt.Errorf("cart answer %.100q: %w", ex.body, errMalformed)
			}
		}
		if !s.r.record(ctx, stepCart, ex) {
			return false
		}
		s.cart = cart.ID
		s.r.rec.funnel.carts.Add(1)
	}
	if s.sku == "" {
		s.sku = pickSKU(s.rng, pick(s.rng, s.r.cat.products))
	}
	ex := s.r.do(ctx, s.jar, call{
		method: http.MethodPut, path: "/api/v1/carts/" + url.PathEscape(s.cart) + "/items/" + url.PathEscape(s.sku),
		ctype: "application/json", body: []byte(`{"quantity":1}`),
	})
	return s.r.record(ctx, StepAddCart, ex)
}

// checkout pays for the cart. Each attempt has its own Idempotency-Key: a
// retry of the same attempt would reuse it, a new attempt must not.
func (s *shopper) checkout(ctx context.Context) bool {
	if s.cart == "" {
		return true // nothing to pay for: the journey goes on
	}
	s.tries++
	token := "pm_card_visa"
	if s.rng.Float64() < s.r.sc.DeclineShare {
		token = "pm_card_chargeDeclined"
	}
	body := fmt.Sprintf(`{"cart_id":%q,"email":"load+%d@example.com","shipping_address":{"name":"Load Test","line1":"1 Main St","city":"Springfield","postal_code":"12345","country":"US"},"payment":{"token":%q}}`,
		s.cart, s.seq, token)
	key := "load-" + strconv.FormatUint(s.r.seed, 36) + "-" + strconv.FormatUint(s.seq, 36) + "-" + strconv.Itoa(s.tries)
	ex := s.r.do(ctx, s.jar, call{
		method: http.MethodPost, path: "/api/v1/checkout", ctype: "application/json",
		body: []byte(body), header: [2]string{"Idempotency-Key", key}, keep: s.r.onOrder != nil,
	})
	if ctx.Err() != nil || errors.Is(ex.err, errBudget) {
		return false // the run stopped, not the shop
	}
	f := &s.r.rec.funnel
	f.attempts.Add(1)
	switch {
	case ex.err == nil && (ex.status == http.StatusCreated || ex.status == http.StatusOK || ex.status == http.StatusAccepted):
		// 202 is a queued checkout (--checkout-mode=queued): accepted, to
		// be charged by the pipeline.
		f.orders.Add(1)
		s.r.accepted(ex)
	case ex.err == nil && ex.status == http.StatusPaymentRequired:
		f.declines.Add(1) // the shop's right answer to pm_card_chargeDeclined
	case ex.err == nil && ex.status == http.StatusConflict:
		f.outOfStock.Add(1) // the shop's right answer to a sold-out SKU
	default:
		f.failed.Add(1)
	}
	s.cart = "" // paid, declined or failed: this attempt is over
	return s.r.record(ctx, StepCheckout, ex, http.StatusPaymentRequired, http.StatusConflict)
}

// accepted tells OnOrder of an order the shop accepted. An answer without
// an order id is still an order the shopper was promised; it is passed on
// with an empty id so the audit can count it as unaccounted.
func (r *runner) accepted(ex exchange) {
	if r.onOrder == nil {
		return
	}
	var o struct {
		OrderID string `json:"order_id"`
	}
	_ = json.Unmarshal(ex.body, &o)
	r.onOrder(AcceptedOrder{ID: o.OrderID, Status: ex.status, At: time.Now()})
}

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

// pickSKU picks a variant in stock (at catalog time) of p.
func pickSKU(rng *rand.Rand, p product) string {
	for range 4 {
		if v := pick(rng, p.Variants); v.Available > 0 {
			return v.SKU
		}
	}
	return p.Variants[0].SKU
}
